// covplan's point symbols on Leaflet's canvas: a CircleMarker with `symbol` in its options
// ("square", "diamond", "star"; "dot" or none: Leaflet's circle) is drawn as that shape,
// within `radius` pixels of its centre (the part of the canvas Leaflet redraws for it).
// Drawing stays on the one canvas, so thousands of sites and points of interest cost no
// more than circles do (DOM icons would). Clicks and tooltips hit the circle of the radius.
(function () {
  if (!window.L || L.Canvas.prototype.__covplanSymbols) { return; }
  L.Canvas.prototype.__covplanSymbols = true;
  var circle = L.Canvas.prototype._updateCircle;

  function star(ctx, x, y, r) {
    for (var i = 0; i < 10; i++) {
      var radius = i % 2 === 0 ? r : r * 0.45;
      var angle = -Math.PI / 2 + i * Math.PI / 5;
      var px = x + radius * Math.cos(angle), py = y + radius * Math.sin(angle);
      if (i === 0) { ctx.moveTo(px, py); } else { ctx.lineTo(px, py); }
    }
    ctx.closePath();
  }

  var shapes = {
    square: function (ctx, x, y, r) { var s = r * 0.8; ctx.rect(x - s, y - s, 2 * s, 2 * s); },
    diamond: function (ctx, x, y, r) {
      var s = r;
      ctx.moveTo(x, y - s); ctx.lineTo(x + s, y); ctx.lineTo(x, y + s); ctx.lineTo(x - s, y);
      ctx.closePath();
    },
    star: star
  };

  L.Canvas.prototype._updateCircle = function (layer) {
    var shape = shapes[layer.options.symbol];
    if (!shape) { return circle.call(this, layer); }
    if (!this._drawing || layer._empty()) { return; }
    var p = layer._point, ctx = this._ctx, r = Math.max(Math.round(layer._radius), 1);
    ctx.beginPath();
    shape(ctx, p.x, p.y, r);
    this._fillStroke(ctx, layer);
  };
})();
