// The fuzz targets: each takes arbitrary bytes and feeds them to one parser of outside input.
// A target never fails on bad input; a crash, a sanitizer report or an exception escaping it is
// a finding. `make fuzz` runs each under libFuzzer (clang); `make test` replays every corpus
// and every saved crash input through the same functions (fuzz_replay_test.cc).
#pragma once

#include <cstddef>
#include <cstdint>

namespace syncline::fuzz {

using FuzzFn = int (*)(const uint8_t* data, size_t size);

int FuzzApi(const uint8_t* data, size_t size);            // an HTTP request into the Api
int FuzzReceiver(const uint8_t* data, size_t size);       // a sync request into the Receiver
int FuzzChunkBatch(const uint8_t* data, size_t size);     // chunk batch decoding
int FuzzChunkDelta(const uint8_t* data, size_t size);     // basis signatures and recipes
int FuzzFilter(const uint8_t* data, size_t size);         // the filter language
int FuzzJson(const uint8_t* data, size_t size);           // the depth-limited JSON reader
int FuzzUrl(const uint8_t* data, size_t size);            // request targets and node URLs
int FuzzPeerReply(const uint8_t* data, size_t size);      // the pusher's decoding of replies

struct FuzzTarget {
  const char* name;  // the folder under tests/fuzz/corpus/ and tests/fuzz/regressions/
  FuzzFn fn;
};

inline constexpr FuzzTarget kFuzzTargets[] = {
    {"api", FuzzApi},           {"receiver", FuzzReceiver}, {"chunk_batch", FuzzChunkBatch},
    {"chunk_delta", FuzzChunkDelta}, {"filter", FuzzFilter}, {"json", FuzzJson},
    {"url", FuzzUrl},           {"peer_reply", FuzzPeerReply},
};

}  // namespace syncline::fuzz
