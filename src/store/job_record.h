// JobRecord and FollowerRecord: a collection sync job and a following collection as the store
// keeps them (schema 04). Plain data: replicate/collection_jobs.h and collection_followers.h
// give them meaning.
#pragma once

#include <cstdint>
#include <string>

namespace syncline {

struct JobRecord {
  std::string id;
  std::string collection;
  std::string master_url;
  std::string master_db;
  std::string master_key;
  std::string method;
  int64_t max_wait_seconds = 0;
  std::string state;
  bool resumable = false;
  std::string result;  // JSON text, empty until done
  std::string error_code;
  std::string error_message;
  bool follow = false;
  int64_t created_at = 0;
  int64_t started_at = 0;
  int64_t finished_at = 0;
};

struct FollowerRecord {
  std::string collection;
  std::string master_url;
  std::string master_db;
  std::string master_key;
  int64_t checkpoint_etag = 0;
  int64_t created_at = 0;
};

}  // namespace syncline
