// The map's geometry in hand before its figure arrives. plotly.js looks in window.PlotlyGeoAssets before it
// fetches a geo subplot's base map or a trace's GeoJSON URL: with both already there, the first map draws in
// the same task as its figure instead of after two more fetches. (Runs after plotly-atlas.min.js, by name.)
(function () {
  var assets = window.PlotlyGeoAssets = window.PlotlyGeoAssets || {topojson: {}};
  assets.topojson = assets.topojson || {};
  // The empty base-map shell of assets/topojson (every base layer is off: our boundaries draw the land).
  var layers = ["coastlines", "land", "ocean", "lakes", "rivers", "countries", "subunits"], objects = {};
  layers.forEach(function (name) { objects[name] = {type: "GeometryCollection", geometries: []}; });
  ["world_110m", "world_50m"].forEach(function (name) {
    if (!assets.topojson[name]) assets.topojson[name] = {type: "Topology", objects: objects, arcs: [], bbox: [-180, -90, 180, 90]};
  });
  // The same requests as the page's <link rel="preload">, so they are answered from it.
  ["/boundaries/provinces.geojson", "/boundaries/inset.geojson"].forEach(function (url) {
    fetch(url, {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (geojson) { if (geojson && (!assets[url] || assets[url] === "pending")) assets[url] = geojson; })
      .catch(function () { /* plotly.js fetches it itself */ });
  });
})();
