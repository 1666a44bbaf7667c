// The page's small browser-side functions. First the records grid's script (dash-ag-grid, 1.3 MB): it is
// left out of the page (app.defer_the_records_grid) and fetched here once the map is drawn; the sections
// under the map are asked for when it has loaded, so the grid among them finds its component. Same origin
// as Dash's own scripts, under any path prefix. Then the history gate, the views' links, the upload
// box's note on oversize files, and a note when the server refuses a change.
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  atlas: Object.assign({}, (window.dash_clientside || {}).atlas, {
    load_records_grid: function () {
      if (!window.__atlasRecordsGrid) {
        window.__atlasRecordsGrid = new Promise(function (resolve) {
          if (window.dash_ag_grid) { resolve(true); return; }
          var dash = document.querySelector('script[src*="/_dash-component-suites/"]');
          var base = dash ? dash.getAttribute("src").split("/_dash-component-suites/")[0] : "";
          var script = document.createElement("script");
          script.src = base + "/_dash-component-suites/dash_ag_grid/dash_ag_grid.min.js";
          script.onload = function () { resolve(true); };
          script.onerror = function () { resolve(false); };  // the sections still come, all but the grid
          document.head.appendChild(script);
        });
      }
      return window.__atlasRecordsGrid;
    },
    // An address the overview did not write itself (the browser's back or forward), or no update.
    history_search: function (search, written) {
      if ((search || "") === (written || "")) { return window.dash_clientside.no_update; }
      return {search: search || "", at: Date.now()};  // a new value each time, even for an address seen before
    },
    // The links to the views under the overview's current filters (layouts.page.view_href writes the same).
    nav_links: function (search) {
      var params = new URLSearchParams(search || "");
      var en = params.get("lang") === "en";
      ["lang", "view", "metric", "layer"].forEach(function (key) { params.delete(key); });  // the map's own
      var rest = params.toString().replace(/%2C/g, ",");
      var tail = (rest ? "&" + rest : "") + (en ? "&lang=en" : "");
      return ["profile", "compare", "chains", "changes"].map(function (key) { return "?view=" + key + tail; });
    }
  })
});

// A file over the upload limit is dropped by the upload box without a word; name it beside the box instead.
(function () {
  function note(files) {
    var out = document.getElementById("upload-oversize");
    if (!out || !files) { return; }
    var limit = Number(out.getAttribute("data-max-bytes")), zh = out.getAttribute("data-lang") !== "en";
    var big = Array.prototype.filter.call(files, function (f) { return f.size > limit; });
    var mb = Math.round(limit / 1048576);
    out.textContent = big.map(function (f) {
      return zh ? f.name + "：超过 " + mb + " MB，未上传" : f.name + ": over " + mb + " MB, not uploaded";
    }).join("；");
  }
  document.addEventListener("change", function (e) {
    if (e.target && e.target.closest && e.target.closest("#upload-files")) { note(e.target.files); }
  }, true);
  document.addEventListener("drop", function (e) {
    if (e.target && e.target.closest && e.target.closest("#upload-files") && e.dataTransfer) { note(e.dataTransfer.files); }
  }, true);
})();

// A change the server refused (the session ended, say by signing out in another tab, or the role does not
// allow it): dash-renderer would only log an error. Say so at the top of the page, with a link to sign in
// again, and let the callback end as "no update".
(function () {
  var plain = window.fetch;
  if (!plain) { return; }
  function say(status) {
    var en = new URLSearchParams(window.location.search).get("lang") === "en";
    var note = document.getElementById("auth-note");
    if (!note) {
      note = document.createElement("p");
      note.id = "auth-note";
      note.className = "view-error auth-note";
      note.setAttribute("role", "alert");
      document.body.insertBefore(note, document.body.firstChild);
    }
    note.textContent = status === 401
      ? (en ? "You are no longer signed in (perhaps you signed out in another tab); nothing was changed. "
            : "登录已失效（可能已在其他页面退出），未做任何更改。")
      : (en ? "Your role does not allow this; nothing was changed. " : "你的角色无权执行此操作，未做任何更改。");
    if (status === 401) {
      var link = document.createElement("a");
      link.href = "/login?next=" + encodeURIComponent(window.location.pathname + window.location.search);
      link.textContent = en ? "Sign in again" : "重新登录";
      note.appendChild(link);
    }
  }
  window.fetch = function (input) {
    var url = typeof input === "string" ? input : (input && input.url) || "";
    return plain.apply(this, arguments).then(function (res) {
      if ((res.status === 401 || res.status === 403) && url.indexOf("/_dash-update-component") !== -1) {
        say(res.status);
        return new Response(null, {status: 204});
      }
      return res;
    });
  };
})();
