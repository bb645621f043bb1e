// The browser side of sign-in and sign-out: the session id lives in an HttpOnly cookie that
// only the server can set or remove, so the page asks for it with a same-origin POST.
function siagaSession(action, ticket) {
  const options = { method: "POST", credentials: "same-origin", cache: "no-store" };
  if (action === "claim") {
    options.headers = { "Content-Type": "application/json" };
    options.body = JSON.stringify({ tiket: ticket });
    fetch("/auth/sesi", options).catch(() => {});
  } else {
    fetch("/auth/keluar", options).catch(() => {});
  }
}
