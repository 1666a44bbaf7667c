// dcc.Graph uses window.Plotly when it is already defined, instead of loading the full bundle.
var Plotly = require('plotly.js/lib/core');
Plotly.register([
  require('plotly.js/lib/choropleth'),
  require('plotly.js/lib/scattergeo'),
  require('plotly.js/lib/heatmap'),
  require('plotly.js/lib/bar'),
  require('plotly.js/lib/icicle'),
]);
window.Plotly = Plotly;
