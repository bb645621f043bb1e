// The browser side of the live views' change watch (pages/live_shared.py, web/live_routes.py).
// Every `everyMs` it asks the server for the incidents' change stamp (one cached HTTP answer);
// when the stamp differs from the one it saw before, it presses the page's hidden "Muat
// perubahan" button, which reruns the page: a new or changed incident is on screen in seconds,
// while an unchanged city costs no Streamlit run. Streamlit's reruns keep this window, so one
// watcher lives on it and each render only hands it its settings.
window.siagaWatch = window.siagaWatch || (function () {
  var state = { url: "", everyMs: 1500, button: "", seen: null, timer: null, busy: false };

  function rerun() {
    var button = document.querySelector(state.button);
    if (button) { button.click(); }
  }
  function tick() {
    // Only while a page that watches is shown (the tab may have moved to another page).
    if (state.busy || !state.url || !document.querySelector(state.button)) { return; }
    state.busy = true;
    fetch(state.url, { cache: "no-store", credentials: "same-origin" })
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (body) {
        if (!body || typeof body.stamp !== "string") { return; }  // an outage: wait
        if (state.seen !== null && body.stamp !== state.seen) { rerun(); }
        state.seen = body.stamp;
      })
      .catch(function () { })
      .then(function () { state.busy = false; });
  }
  return {
    configure: function (url, everyMs, button) {
      state.url = url;
      state.button = button;
      if (state.timer === null || state.everyMs !== everyMs) {
        if (state.timer !== null) { window.clearInterval(state.timer); }
        state.everyMs = everyMs;
        state.timer = window.setInterval(tick, everyMs);
      }
    },
  };
})();
