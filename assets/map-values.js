// A filter change recolours the drawn province map instead of redrawing it.
//
// The server sends the map's new values alone (callbacks.overview.province_map_values): z, hover text and
// colour range of the main and inset choropleths, the colour bar's title and ticks, and where the outline
// of the picked province goes. Given to plotly.js as a new figure, they make it project and draw every
// boundary again (about 45 ms of a 110 ms filter change on the 2-core machine). Here the drawn map keeps its
// paths: the values go into the figure's data and into plotly.js's own state (full data and calcdata), the
// choropleth's style function recolours the paths, the outline's one path takes the picked province's
// path, and where the scale changed, a restyle of the colour bar redraws it; plotly_afterplot ends it, as it
// ends a redraw. This happens as soon as the server's answer arrives (see the fetch below); the callback on
// MAP_VALUES then finds the map showing its values. tests/browser/test_map_values.py holds the result to the
// map drawn whole for the same address.
//
// Where it cannot be done (the map not drawn yet, a province gaining or losing its value, a plotly.js whose
// state looks different), the callback returns the figure with the new values and plotly.js redraws it.
(function () {
  function isNumber(v) { return typeof v === "number" && isFinite(v); }

  function traceUpdate(v) {
    return {z: v.z, text: v.text, zmin: v.zmin, zmax: v.zmax, colorscale: v.colorscale};
  }

  // The figure with the new values, for plotly.js to redraw (the same pieces as the server's whole figure).
  function withValues(figure, v) {
    var data = figure.data.map(function (trace, i) {
      if (v.traces.indexOf(i) !== -1) {
        trace = Object.assign({}, trace, traceUpdate(v));
        if (trace.colorbar) {
          trace.colorbar = Object.assign({}, trace.colorbar, v.colorbar);
        }
      } else if (i === v.outline.trace) {
        var line = Object.assign({}, trace.marker.line, {width: v.outline.width});
        trace = Object.assign({}, trace, {locations: v.outline.locations,
                                          marker: Object.assign({}, trace.marker, {line: line})});
      }
      return trace;
    });
    return Object.assign({}, figure, {data: data});
  }

  function pathOf(calcTrace, loc) {
    var found = null;
    calcTrace[0].node3.selectAll("path.choroplethlocation").each(function (d) { if (d.loc === loc) { found = this; } });
    return found;
  }

  // Applies ``v`` to the drawn map ``gd`` in place; false (and nothing changed) where it cannot.
  function recolour(gd, v) {
    var cds = gd.calcdata, full = gd._fullData, o = v.outline;
    if (!cds || !full || !gd.data || cds.length !== gd.data.length || full.length !== gd.data.length) { return false; }
    var ok = v.traces.concat([o.trace]).every(function (i) {
      var cd = cds[i];
      return cd && cd[0] && cd[0].node3 && full[i].type === "choropleth" && full[i]._module && full[i]._module.style;
    });
    if (!ok) { return false; }
    // every location keeps having a value or not: a province that gains one has no path to recolour
    ok = v.traces.every(function (i) {
      return full[i]._length === v.z.length && cds[i].every(function (pt) {
        return (pt.loc != null) === isNumber(v.z[pt.index]);
      });
    });
    var line = cds[o.trace][0], to = o.width ? o.locations[0] : line.loc, from = null, fromPath = null;
    var outlinePath = null;
    if (!ok || cds[o.trace].length !== 1 || line.loc == null) { return false; }
    if (to !== line.loc) {  // the outline moves to another province: it takes the main map's path of it
      cds[v.traces[0]].forEach(function (pt) { if (pt.loc === to && pt.geojson) { from = pt; } });
      fromPath = from && pathOf(cds[v.traces[0]], to);
      outlinePath = pathOf(cds[o.trace], line.loc);
      if (!fromPath || !outlinePath) { return false; }
    }

    var barKept = sameScale(gd.data[v.traces[0]], v);
    v.traces.forEach(function (i) {
      var update = traceUpdate(v);
      Object.assign(gd.data[i], update);
      Object.assign(full[i], update, {_zmin: v.zmin, _zmax: v.zmax});
      cds[i].forEach(function (pt) { if (pt.loc != null) { pt.z = v.z[pt.index]; } });
      full[i]._module.style(gd, cds[i]);
    });
    if (from) {
      ["loc", "geojson", "_polygons", "ct", "fOut"].forEach(function (k) { line[k] = from[k]; });
      outlinePath.setAttribute("d", fromPath.getAttribute("d"));
      gd.data[o.trace].locations = full[o.trace].locations = [to];
    }
    [gd.data[o.trace], full[o.trace]].forEach(function (trace) {
      trace.marker = trace.marker || {};
      trace.marker.line = Object.assign({}, trace.marker.line, {width: o.width});
    });
    // as plotly.js's defaults: a line of no width has no colour
    full[o.trace].marker.line.color = o.width ? gd.data[o.trace].marker.line.color : undefined;
    full[o.trace]._module.style(gd, cds[o.trace]);

    if (barKept) {  // the same scale (picking another province, say): the map is done
      gd.emit("plotly_afterplot");
      return true;
    }
    // the colour bar: plotly.js redraws it (and only it) for a change of its own attributes, then says
    // plotly_afterplot; null clears an attribute, as on the server
    var bar = {"colorbar.title.text": v.colorbar.title.text};
    ["tick0", "dtick"].forEach(function (k) { bar["colorbar." + k] = v.colorbar[k] == null ? null : v.colorbar[k]; });
    window.Plotly.restyle(gd, bar, [v.traces[0]]);
    return true;
  }

  function same(a, b) {
    if (Array.isArray(a) || Array.isArray(b)) {
      return Array.isArray(a) && Array.isArray(b) && a.length === b.length &&
        a.every(function (x, i) { return same(x, b[i]); });
    }
    return a === b || (a == null && b == null);
  }

  // Whether the main trace's colour scale and colour bar are those of ``v``.
  function sameScale(trace, v) {
    var bar = trace.colorbar || {};
    return same([trace.zmin, trace.zmax, trace.colorscale, (bar.title || {}).text, bar.tick0, bar.dtick],
                [v.zmin, v.zmax, v.colorscale, v.colorbar.title.text, v.colorbar.tick0, v.colorbar.dtick]);
  }

  // Whether the drawn map already shows ``v`` (applied as its answer arrived, see below).
  function shows(gd, v) {
    var data = gd && gd.data, o = v.outline;
    if (!data || !data[o.trace] || !v.traces.every(function (i) { return data[i]; })) { return false; }
    var line = (data[o.trace].marker || {}).line || {};
    return v.traces.every(function (i) { return same(data[i].z, v.z) && same(data[i].text, v.text); }) &&
      sameScale(data[v.traces[0]], v) && same(line.width, o.width) &&
      (!o.width || same(data[o.trace].locations, o.locations));
  }

  function drawnMap() { return document.querySelector("#province-map .js-plotly-plot"); }

  // The map is recoloured as soon as the answer to its request arrives, not when dash-renderer has applied
  // the answer's dozen outputs and come round to the callback on MAP_VALUES (about 50 ms later on the
  // 2-core machine). Only the answer to the latest such request is applied, as dash-renderer keeps only
  // that one; the callback below then finds the map showing its values, or applies them itself.
  var plain = window.fetch, latest = 0;
  if (plain) {
    window.fetch = function (input, options) {
      var body = options && typeof options.body === "string" ? options.body : "";
      if (body.indexOf("map-values.data") === -1) { return plain.apply(this, arguments); }
      var n = ++latest;
      return plain.apply(this, arguments).then(function (res) {
        if (res.ok) {
          res.clone().json().then(function (answer) {
            var v = answer && answer.response && answer.response["map-values"];
            var gd = drawnMap();
            if (n === latest && v && v.data && gd && window.Plotly) { recolour(gd, v.data); }
          }).catch(function () { /* the callback applies it */ });
        }
        return res;
      });
    };
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    atlas: Object.assign({}, (window.dash_clientside || {}).atlas, {
      // MAP_VALUES -> the map recoloured where it is drawn (no update), or its figure with the new values
      map_values: function (values, figure) {
        var none = window.dash_clientside.no_update;
        if (!values || !figure || !figure.data) { return none; }
        var gd = drawnMap();
        // the drawn map is the figure the page holds (its data are the same objects), showing these values or
        // recoloured to them
        if (gd && window.Plotly && gd.data === figure.data && (shows(gd, values) || recolour(gd, values))) {
          return none;
        }
        return withValues(figure, values);
      }
    })
  });
})();
