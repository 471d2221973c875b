// covplan's live map: swaps the scenario layers of a map drawn once (covplan.mapview.live).
// Installed by the base map's LiveLibrary, before its layers; its LayerRegistry fills
// `static` and `order`.
window.covplan = (function () {
  var cp = {static: {}, order: [], dynamic: [], hidden: [], control: null};

  // Remove the previous scenario layers and add `groups` ([name, layer, show]), keeping
  // each layer on or off as the user left it.
  function swapLayers(map, groups) {
    var was = {};
    cp.dynamic.forEach(function (d) {
      was[d.name] = map.hasLayer(d.layer);
      map.removeLayer(d.layer);
    });
    cp.dynamic = groups.map(function (g) {
      return {name: g[0], layer: g[1], show: g[2], overlay: true};
    });
    cp.dynamic.forEach(function (d) {
      var on = Object.prototype.hasOwnProperty.call(was, d.name) ? was[d.name] : d.show;
      if (on) { d.layer.addTo(map); }
    });
  }

  // Recolour the village choropleth: fills[row] and texts[row] per village row.
  function recolour(name, fills, texts) {
    var entry = cp.static[name];
    if (!entry || !fills) { return; }
    var layer = entry.layer;
    var base = layer.__covplanStyle || layer.options.style;
    layer.__covplanStyle = base;
    layer.options.style = function (feature) {
      var style = Object.assign({}, base(feature));
      style.fillColor = fills[feature.properties.row];
      style.fillOpacity = 0.4;
      return style;
    };
    layer.eachLayer(function (part) {
      part.feature.properties.status = texts[part.feature.properties.row];
      layer.resetStyle(part);
    });
  }

  // Hide the features of baseline sites whose id is in `ids` (showing the ones hidden before).
  function hideSites(layerNames, ids) {
    cp.hidden.forEach(function (h) { h.parent.addLayer(h.layer); });
    cp.hidden = [];
    var hide = {};
    ids.forEach(function (id) { hide[id] = true; });
    layerNames.forEach(function (name) {
      var entry = cp.static[name];
      if (!entry) { return; }
      entry.layer.eachLayer(function (part) {
        if (!part.eachLayer) { return; }
        part.eachLayer(function (feature) {
          var props = feature.feature && feature.feature.properties;
          if (props && hide[String(props.site_id)]) {
            cp.hidden.push({parent: part, layer: feature});
          }
        });
      });
    });
    cp.hidden.forEach(function (h) { h.parent.removeLayer(h.layer); });
  }

  // Close a popup whose feature is no longer drawn (a site just removed or moved, a layer
  // swapped out): it would go on describing a site as it no longer is.
  function closeStalePopup(map) {
    var popup = map._popup;
    if (popup && map.hasLayer(popup) && popup._source && !map.hasLayer(popup._source)) {
      map.closePopup();
    }
  }

  // Rebuild the layer control: `order` lists names, "*" stands for the base map's layers.
  function rebuildControl(map, order, collapsed) {
    if (cp.control) { map.removeControl(cp.control); }
    var dynamic = {}, bases = {}, overlays = {}, names = [];
    cp.dynamic.forEach(function (d) { dynamic[d.name] = d; });
    order.forEach(function (name) {
      names = names.concat(name === "*" ? cp.order : [name]);
    });
    names.forEach(function (name) {
      var entry = dynamic[name] || cp.static[name];
      if (entry) { (entry.overlay ? overlays : bases)[name] = entry.layer; }
    });
    cp.control = L.control.layers(bases, overlays, {collapsed: collapsed}).addTo(map);
  }

  // A click on a feature with a popup (a site, a road gap) opens the popup and stops
  // there: Leaflet never tells the map. The planner clicks exactly there to add, move or
  // remove a site, so pass such clicks on to the map (once per browser event).
  function forwardClicks(map, layer) {
    if (layer.__covplanForwards) { return; }
    layer.__covplanForwards = true;
    layer.on("click", function (e) {
      var original = e.originalEvent;
      if (!original || original.__covplanForwarded) { return; }
      original.__covplanForwarded = true;
      map.fire("click", {latlng: e.latlng, layerPoint: e.layerPoint,
                         containerPoint: e.containerPoint, originalEvent: original});
    });
  }

  // Report a map click to the app at once. streamlit-folium reports it 250 ms later
  // (debounced); marking it as already reported keeps that second report from being sent.
  function reportClicksAtOnce(map) {
    if (cp.reportsClicks) { return; }
    cp.reportsClicks = true;
    map.on("click", function (e) {
      var state = window.__GLOBAL_DATA__;
      if (!state || !window.Streamlit) { return; }
      var data = {last_clicked: {lat: e.latlng.lat, lng: e.latlng.lng}};
      if (JSON.stringify(state.previous_data) === JSON.stringify(data)) { return; }
      state.lat_lng_clicked = e.latlng;
      state.previous_data = data;
      window.Streamlit.setComponentValue(data);
    });
  }

  // Keep the view (centre, zoom) of the place's map in the tab's session storage, and give
  // a new map of the same place (another preset's legend, another language, a reload) the
  // view the user left: the frame is new, the place the user looks at is not. The base map
  // calls it before adding its layers (a view set after them projects every feature again);
  // a scenario's call then finds it done.
  function keepView(map, place) {
    if (cp.keepsView || !place) { return; }
    cp.keepsView = true;
    var key = "covplan-view:" + place;
    try {
      var saved = JSON.parse(window.sessionStorage.getItem(key) || "null");
      if (saved) { map.setView([saved.lat, saved.lng], saved.zoom, {animate: false}); }
    } catch (e) {}
    map.on("moveend", function () {
      var centre = map.getCenter();
      try {
        window.sessionStorage.setItem(key, JSON.stringify(
          {lat: centre.lat, lng: centre.lng, zoom: map.getZoom()}));
      } catch (e) {}
    });
  }

  cp.keepView = keepView;

  // Put one scenario on the map.
  cp.apply = function (map, groups, view) {
    keepView(map, view.place);
    reportClicksAtOnce(map);
    swapLayers(map, groups);
    Object.keys(cp.static).forEach(function (name) { forwardClicks(map, cp.static[name].layer); });
    cp.dynamic.forEach(function (d) { forwardClicks(map, d.layer); });
    recolour(view.villages, view.fills, view.texts);
    hideSites(view.siteLayers, view.hidden);
    closeStalePopup(map);
    rebuildControl(map, view.order, view.collapsed);
    cp.applied = (cp.applied || 0) + 1;
    cp.appliedAt = Date.now();
    try {  // the page's parts that wait for the map (covplan.app.livemap.after_map)
      window.parent.__covplanMapDrawn = cp.appliedAt;
      window.parent.dispatchEvent(new CustomEvent("covplan:map-drawn"));
    } catch (e) {}
  };
  return cp;
})();
