// Cell renderers for the records grid (dash-ag-grid looks them up by name).
// Text is always given to React as text, never as HTML, so a record can hold any characters safely.
var dagcomponentfuncs = (window.dashAgGridComponentFunctions = window.dashAgGridComponentFunctions || {});

// SourceLinks: the record's source pages (an array of http(s) URLs, checked on the server),
// each named by its site (so where a link goes is seen before it is opened; the whole address is its
// tooltip) and opening in a new tab without giving the page a handle on the atlas.
dagcomponentfuncs.SourceLinks = function (props) {
  var urls = props.value || [];
  var links = [];
  urls.forEach(function (url, i) {
    if (!/^https?:\/\//i.test(url)) { return; }
    if (i > 0) { links.push(" "); }
    links.push(React.createElement("a", {
      key: url + i, href: url, target: "_blank", rel: "noopener noreferrer", title: url,
      className: "source-link"
    }, url.replace(/^https?:\/\//i, "").split(/[\/?#]/)[0].replace(/^(www|m)\./i, "")));
  });
  return React.createElement("span", null, links);
};
