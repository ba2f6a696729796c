// The API client: the signed-in credential lives in sessionStorage (this tab's session only),
// is sent as a Bearer header, and never goes into a URL.

const KEY = "syncline.credential";

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export const session = {
  get credential() { return sessionStorage.getItem(KEY); },
  set(credential) { sessionStorage.setItem(KEY, credential); },
  clear() { sessionStorage.removeItem(KEY); },
};

// Called with the error when a request finds the credential no longer valid.
let onSignedOut = () => {};
export function setSignedOutHandler(fn) { onSignedOut = fn; }

function headers(extra) {
  const out = { ...extra };
  if (session.credential) out.Authorization = "Bearer " + session.credential;
  return out;
}

async function failure(res) {
  let code = "http_" + res.status, msg = res.statusText || "request failed";
  try {
    const body = await res.json();
    if (body && body.error) { code = body.error; msg = body.message || code; }
  } catch (_) { /* not JSON */ }
  const e = new ApiError(res.status, code, msg);
  if (res.status === 401 && session.credential) onSignedOut(e);
  return e;
}

// Requests in flight, long-polls aside: 0 once a page has all it asked for (tests wait on it).
window.studioBusy = 0;

// JSON in, JSON out. `opts`: {body (object or string), headers, signal, raw (the Response),
// longPoll (not counted as busy)}.
export async function api(method, path, opts = {}) {
  const init = { method, headers: headers(opts.headers), signal: opts.signal };
  if (opts.body !== undefined) {
    init.body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
    init.headers["Content-Type"] = "application/json";
  }
  if (!opts.longPoll) window.studioBusy++;
  try {
    const res = await fetch(path, init);
    if (!res.ok && res.status !== 304) throw await failure(res);
    if (opts.raw) return res;
    const text = await res.text();
    return text ? JSON.parse(text) : null;
  } finally {
    if (!opts.longPoll) window.studioBusy--;
  }
}

// A path segment (or several, for file names with '/'), percent-encoded.
export function enc(name) { return name.split("/").map(encodeURIComponent).join("/"); }

// Uploads `file` (a File or Blob) to `path` with PUT, telling `progress(done, total)`.
export function upload(path, file, progress, extraHeaders = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", path);
    for (const [k, v] of Object.entries(headers(extraHeaders))) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = e => progress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onload = () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch (_) { /* empty */ }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(body);
      const e = new ApiError(xhr.status, body && body.error || "http_" + xhr.status,
                             body && body.message || "upload failed");
      if (xhr.status === 401) onSignedOut(e);
      reject(e);
    };
    xhr.onerror = () => reject(new ApiError(0, "unavailable", "the connection failed"));
    xhr.send(file);
  });
}

// Fetches `path` with the credential and hands the browser the bytes as a download named `name`
// (a link to the file would need the credential in its URL).
export async function download(path, name) {
  const res = await fetch(path, { headers: headers() });
  if (!res.ok) throw await failure(res);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}
