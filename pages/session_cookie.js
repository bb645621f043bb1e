// The browser side of sign-in and sign-out: the session id lives in an HttpOnly cookie that
// only the server can set or remove, so the page asks for it with a same-origin POST.
// The training room (Latihan) passes room "latihan": its own routes and cookie.
function siagaSession(action, ticket, room) {
  const base = room === "latihan" ? "/auth/latihan" : "/auth";
  const options = { method: "POST", credentials: "same-origin", cache: "no-store" };
  if (action === "claim") {
    options.headers = { "Content-Type": "application/json" };
    options.body = JSON.stringify({ tiket: ticket });
    fetch(base + "/sesi", options).catch(() => {});
  } else {
    fetch(base + "/keluar", options).catch(() => {});
  }
}
