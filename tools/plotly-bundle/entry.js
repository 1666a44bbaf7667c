// dcc.Graph uses window.Plotly when it is already defined, instead of loading the full bundle.
// regeneratorRuntime is the one thing Dash's lazy loaders take from @babel/polyfill, which app.py then
// leaves out: in a current browser the rest of it only replaces native code with slower code.
require('regenerator-runtime/runtime');
var Plotly = require('plotly.js/lib/core');
Plotly.register([
  require('plotly.js/lib/choropleth'),
  require('plotly.js/lib/scattergeo'),
  require('plotly.js/lib/heatmap'),
  require('plotly.js/lib/bar'),
  require('plotly.js/lib/icicle'),
]);
window.Plotly = Plotly;
