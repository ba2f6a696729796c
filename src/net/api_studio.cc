// The studio: the web UI's files, embedded in the binary (studio/, generated/net/
// studio_assets.h), served at /studio/ with headers that allow no inline script, no framing
// and no other origin. The pages talk to the documented API only.
#include <map>

#include "net/api.h"
#include "net/studio_assets.h"
#include "util/sha256.h"

namespace syncline {

namespace {

struct Asset {
  std::string_view type;
  std::string_view body;
  std::string etag;  // "sha256-prefix": the content's, so a new binary's files are refetched
};

const std::map<std::string_view, Asset>& Assets() {
  static const std::map<std::string_view, Asset> kAssets = [] {
    std::map<std::string_view, Asset> out;
    for (const StudioAsset& a : kStudioAssets) {
      std::string_view body(a.body);
      Sha256Digest d = Sha256(body);
      out[a.path] = {a.type, body, "\"" + HexEncode(d.data(), 12) + "\""};
    }
    return out;
  }();
  return kAssets;
}

void AddSecurityHeaders(ApiResponse* r) {
  r->headers.emplace_back(
      "Content-Security-Policy",
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  r->headers.emplace_back("X-Frame-Options", "DENY");
  r->headers.emplace_back("X-Content-Type-Options", "nosniff");
  r->headers.emplace_back("Referrer-Policy", "no-referrer");
}

}  // namespace

ApiResponse Api::StudioRedirect(const ApiCall&) {
  ApiResponse r;
  r.status = 302;
  r.headers.emplace_back("Location", "/studio/");
  return r;
}

ApiResponse Api::StudioAsset(const ApiCall& c) {
  const std::string& path = c.rest.empty() ? std::string("index.html") : c.rest;
  auto it = Assets().find(path);
  if (it == Assets().end()) {
    return ApiResponse::Error(Status::NotFound("the studio has no file '" + path + "'"));
  }
  const Asset& a = it->second;
  ApiResponse r;
  AddSecurityHeaders(&r);
  r.headers.emplace_back("ETag", a.etag);
  // Revalidated on every load (cheap: a 304), so an upgraded node never serves stale pages.
  r.headers.emplace_back("Cache-Control", "no-cache");
  if (const std::string* inm = c.req.Header("if-none-match"); inm && *inm == a.etag) {
    r.status = 304;
    return r;
  }
  r.headers.emplace_back("Content-Type", std::string(a.type));
  r.body = std::string(a.body);
  r.headers.emplace_back("Vary", "Accept-Encoding");
  api_internal::CompressIfAccepted(c.req, &r);
  return r;
}

}  // namespace syncline
