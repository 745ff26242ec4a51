import { api, describeError, token, whenUnauthorized } from "./api";
import { byId, say } from "./dom";
import { renderFailures } from "./failures";
import { loadJobs, stopJobs } from "./jobs";
import { loadStats, renderProgress } from "./progress";
import { resolveUrl } from "./resolve";

/**
 * The operator dashboard (GET /_admin/ui). The page itself holds no data: it asks for a token,
 * keeps it in this tab's sessionStorage only, and reads everything from the JSON admin API.
 * A wrong token shows a message and nothing else; a read-only token sees everything but gets no
 * write buttons (GET /_admin/whoami says which it is).
 */
const el = {
  signin: byId<HTMLFormElement>("signin"),
  token: byId<HTMLInputElement>("token"),
  signout: byId<HTMLButtonElement>("signout"),
  role: byId("role"),
  message: byId("message"),
  app: byId("app"),
  refresh: byId<HTMLButtonElement>("refresh"),
  sources: byId("sources"),
  progressMessage: byId("progress-message"),
  failures: byId("failures"),
  failuresMessage: byId("failures-message"),
  jobs: byId("jobs"),
  resolveForm: byId<HTMLFormElement>("resolve-form"),
  resolveUrl: byId<HTMLInputElement>("resolve-url"),
  resolveResult: byId("resolve-result"),
};

let canWrite = false;

function signOut(message: string | null): void {
  token.clear();
  stopJobs();
  canWrite = false;
  el.app.hidden = true;
  el.signout.hidden = true;
  el.role.hidden = true;
  for (const panel of [el.sources, el.failures, el.jobs, el.resolveResult]) panel.replaceChildren();
  el.signin.hidden = false;
  say(el.message, message);
  el.token.focus();
}

whenUnauthorized((failure) => signOut(`The token was refused: ${failure.describe()}`));

async function signIn(): Promise<void> {
  say(el.message, null);
  let role: "admin" | "read";
  try {
    role = (await api<{ role: "admin" | "read" }>("GET", "/whoami")).result.role;
  } catch (err) {
    // A 401 has already signed out with its own message.
    if (token.get() !== null) signOut(`Could not sign in: ${describeError(err)}`);
    return;
  }
  canWrite = role === "admin";
  el.role.textContent = role === "admin" ? "admin" : "read-only";
  el.role.dataset.role = role;
  el.role.hidden = false;
  el.signout.hidden = false;
  el.signin.hidden = true;
  el.app.hidden = false;
  el.resolveUrl.placeholder = `${location.origin}/…`;
  await refresh();
}

async function refresh(): Promise<void> {
  el.refresh.disabled = true;
  say(el.progressMessage, null);
  try {
    const stats = await loadStats();
    renderProgress(el.sources, stats);
    await renderFailures(el.failures, stats, { canWrite, message: el.failuresMessage, refresh });
  } catch (err) {
    if (token.get() !== null) say(el.progressMessage, `Could not load the statistics: ${describeError(err)}`);
  } finally {
    el.refresh.disabled = false;
  }
  if (token.get() !== null) await loadJobs(el.jobs);
}

el.signin.addEventListener("submit", (event) => {
  event.preventDefault();
  const value = el.token.value.trim();
  if (!value) return;
  token.set(value);
  el.token.value = "";
  void signIn();
});
el.signout.addEventListener("click", () => signOut("Signed out."));
el.refresh.addEventListener("click", () => void refresh());
el.resolveForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const url = el.resolveUrl.value.trim();
  if (url) void resolveUrl(el.resolveResult, url);
});

if (token.get() !== null) void signIn();
else el.token.focus();
