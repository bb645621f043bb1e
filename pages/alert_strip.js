// The browser side of the alert strip (pages/alert_strip.py): a sound and a desktop notification
// when an alert id this tab has not seen appears. Streamlit's reruns keep this window, so one
// manager lives on it; every strip render hands it the current state.
//
// Seen ids are kept in sessionStorage: a rerun or a reload of the tab never replays them (a new
// tab plays once for what is open). Browsers refuse sound until the person interacted with the
// page: the sign-in click counts for this tab; after a reload nothing has been clicked yet, so a
// refused play() shows the "Aktifkan suara" buttons and the next click anywhere plays it.
// While a new-incident alert stays open the sound repeats every `remindS` seconds.
window.siagaAlerts = window.siagaAlerts || (function () {
  var SEEN_KEY = "siaga-alerts-seen";
  var PLAYED_KEY = "siaga-alerts-played";
  var state = { sound: "", remindS: 60, remind: false, notify: [], ids: [], more: "" };
  var audio = null;
  var blocked = false;
  var pending = false;
  var lastPlay = Number(window.sessionStorage.getItem(PLAYED_KEY) || 0);

  function seen() {
    try { return JSON.parse(window.sessionStorage.getItem(SEEN_KEY) || "[]"); } catch (e) { return []; }
  }
  function remember(ids) {
    try { window.sessionStorage.setItem(SEEN_KEY, JSON.stringify(ids.slice(-500))); } catch (e) { }
  }
  function buttons() {
    var permission = ("Notification" in window) ? Notification.permission : "denied";
    document.querySelectorAll("[data-siaga-sound]").forEach(function (b) { b.hidden = !blocked; });
    document.querySelectorAll("[data-siaga-notify]").forEach(function (b) {
      b.hidden = permission !== "default";
    });
  }
  function play() {
    if (!state.sound) { return; }
    lastPlay = Date.now();
    pending = false;
    try { window.sessionStorage.setItem(PLAYED_KEY, String(lastPlay)); } catch (e) { }
    if (!audio) { audio = new Audio(state.sound); }
    try { audio.currentTime = 0; } catch (e) { }
    var result;
    try { result = audio.play(); } catch (e) { result = Promise.reject(e); }
    if (result && result.then) {
      result.then(function () { blocked = false; buttons(); }, function () {
        blocked = true; pending = true; buttons();
      });
    }
  }
  function notify(fresh) {
    if (!("Notification" in window) || Notification.permission !== "granted") { return; }
    var shown = 0;
    state.notify.forEach(function (item) {
      if (fresh.indexOf(item.id) < 0) { return; }
      try {
        new Notification(item.title, { body: item.body, tag: "siaga-alert-" + item.id });
        shown++;
      } catch (e) { }
    });
    if (fresh.length > shown && state.more) {
      try {
        new Notification(state.more.replace("{n}", String(fresh.length - shown)),
          { tag: "siaga-alert-more" });
      } catch (e) { }
    }
  }
  function update(next) {
    state = next;
    var before = seen();
    var fresh = next.ids.filter(function (id) { return before.indexOf(id) < 0; });
    if (fresh.length) {
      remember(before.concat(fresh));
      play();
      notify(fresh);
    }
    buttons();
  }
  // The first click after a refused play() plays what was missed; the buttons ask explicitly.
  document.addEventListener("click", function (event) {
    var target = event.target && event.target.closest ?
      event.target.closest("[data-siaga-sound],[data-siaga-notify]") : null;
    if (target && target.hasAttribute("data-siaga-notify") && "Notification" in window) {
      Notification.requestPermission().then(buttons, buttons);
      return;
    }
    if (pending || (target && target.hasAttribute("data-siaga-sound"))) { play(); }
  }, true);
  window.setInterval(function () {
    if (state.remind && !blocked && Date.now() - lastPlay > state.remindS * 1000) { play(); }
    buttons();
  }, 5000);
  return { update: update, played: function () { return lastPlay; } };
})();
