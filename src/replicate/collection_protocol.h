// The collection sync protocol: how a replica reads a master's snapshot over the wire
// (docs/API.md, "Collection sync"). Sans-I/O, as protocol.h: the master's side turns a request
// into an answer from a CollectionSource (HandleSnapshotOp); the replica's side is a
// CollectionSource that turns each call into a request through a transport (net/ gives HTTP;
// tests wire it straight to HandleSnapshotOp). Every answer is read through checked
// accessors: a master that sends garbage gets ProtocolError, never a crash or a bad write.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "replicate/collection_source.h"
#include "util/json.h"

namespace syncline {

// The operations on an open snapshot (POST /v1/db/{db}/snapshots/{op}).
//   root            {}                                  -> {"root": [digest, count]}
//   children        {"nodes": [[level, prefix], ...]}   -> {"children": [[[digest, count] x16], ...]}
//   entries         {"nodes": [[level, prefix], ...]}   -> {"entries": [[[key, digest], ...], ...]}
//   key-chunks      {"chunk_size": n}                   -> {"chunks": [{after, through, count, digest}]}
//   keys            {"after": k, "through": k}          -> {"keys": [[key, digest], ...]}
//   documents       {"keys": [k, ...]}                  -> {"documents": [doc, ...]}
//   documents-after {"after": k, "limit": n}            -> {"documents": [doc, ...]}
// A doc is {"key", "version_vector", "updated_at", "body"}, version vector and body as JSON
// text in strings, so that they arrive byte for byte as the master stores them.
// Every request also names its snapshot: {"snapshot": id, ...}.
Result<Json> HandleSnapshotOp(CollectionSource& source, std::string_view op, const Json& request);

// Sends one operation's request and returns the answer object.
using SnapshotTransport = std::function<Result<Json>(std::string_view op, const Json& request)>;

// A master's snapshot seen through `transport`. `id` and `etag` come from opening it.
std::unique_ptr<CollectionSource> NewRemoteCollectionSource(SnapshotTransport transport,
                                                            std::string id, int64_t etag);

}  // namespace syncline
