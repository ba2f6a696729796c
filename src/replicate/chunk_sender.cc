#include "replicate/chunk_sender.h"

#include <algorithm>

#include "chunk/manifest.h"
#include "replicate/chunk_delta.h"

namespace syncline {

namespace {

constexpr size_t kChunkBatchBytes = 8u << 20;  // per request

}  // namespace

SentChunks::Claim SentChunks::Take(const Sha256Digest& hash) {
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, fresh] = chunks_.try_emplace(hash, State::kSending);
  if (fresh) return Claim::kMine;
  return it->second == State::kArrived ? Claim::kArrived : Claim::kElsewhere;
}

void SentChunks::Done(const std::vector<Sha256Digest>& hashes, bool arrived) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const Sha256Digest& h : hashes) {
      if (arrived) {
        chunks_[h] = State::kArrived;
      } else {
        chunks_.erase(h);
      }
    }
  }
  cv_.notify_all();
}

bool SentChunks::Await(const Sha256Digest& hash) {
  std::unique_lock<std::mutex> lock(mu_);
  auto it = chunks_.end();
  cv_.wait(lock, [&] {
    it = chunks_.find(hash);
    return it == chunks_.end() || it->second == State::kArrived;
  });
  return it != chunks_.end();
}

ChunkSender::ChunkSender(Store* store, std::string db, Remote* remote, SentChunks* shared)
    : store_(store), db_(std::move(db)), remote_(remote), shared_(shared) {
  if (!shared_) {
    own_ = std::make_unique<SentChunks>();
    shared_ = own_.get();
  }
}

ChunkSender::~ChunkSender() {
  std::vector<Sha256Digest> unsent = std::move(batch_claims_);
  for (const auto& [hash, file] : recipe_files_) unsent.push_back(hash);
  shared_->Done(unsent, false);
}

void ChunkSender::AddWhole(size_t file, const Sha256Digest& hash, std::string_view data) {
  size_t before = batch_.bytes().size();
  batch_.Add(hash, data);
  files_[file].report->bytes_transferred += static_cast<int64_t>(batch_.bytes().size() - before);
  files_[file].sent_content += static_cast<int64_t>(data.size());
  batch_claims_.push_back(hash);
}

Status ChunkSender::AddStored(size_t file, const Sha256Digest& hash) {
  Status read = store_->ReadChunk(db_, hash, &chunk_, Store::ChunkCheck::kTrusted);
  if (!read.ok()) {
    shared_->Done({hash}, false);  // the rest this sender took goes with its destructor
    return read;
  }
  AddWhole(file, hash, chunk_);
  return Status::OK();
}

Status ChunkSender::Add(const Item& item, const FileBeginReply& begin, SyncReport* report) {
  SYNCLINE_ASSIGN_OR_RETURN(Manifest manifest, Manifest::Decode(item.manifest));
  BasisIndex basis;
  if (!begin.basis.empty()) {
    // Only a hint for finer deltas: a malformed basis costs bytes, not correctness.
    if (Result<BasisIndex> parsed = BasisIndex::Parse(begin.basis); parsed.ok()) {
      basis = std::move(*parsed);
    }
  }
  const size_t file = files_.size();
  files_.push_back({report, item.size});
  report->need_list_length = static_cast<int64_t>(begin.need.size());
  std::string recipe;
  for (size_t index : begin.need) {
    const ChunkRef& c = manifest.chunks[index];  // the reply's decoder checked the index
    SentChunks::Claim claim = shared_->Take(c.hash);
    if (claim == SentChunks::Claim::kArrived) continue;
    if (claim == SentChunks::Claim::kElsewhere) {
      elsewhere_.emplace_back(c.hash, file);
      continue;
    }
    Status read = store_->ReadChunk(db_, c.hash, &chunk_, Store::ChunkCheck::kTrusted);
    if (!read.ok()) {
      shared_->Done({c.hash}, false);
      return read;
    }
    size_t literal = chunk_.size();
    if (!basis.empty()) {
      recipe.clear();
      literal = AppendRecipe(c.hash, chunk_, basis, &recipe);
    }
    if (literal < chunk_.size() * 8 / 10) {
      recipes_ += recipe;
      recipe_files_.emplace_back(c.hash, file);
      report->bytes_transferred += static_cast<int64_t>(recipe.size());
      files_[file].sent_content += static_cast<int64_t>(literal);
    } else {
      AddWhole(file, c.hash, chunk_);
    }
    if (batch_.bytes().size() >= kChunkBatchBytes) SYNCLINE_RETURN_IF_ERROR(SendBatch());
    if (recipes_.size() >= kChunkBatchBytes) SYNCLINE_RETURN_IF_ERROR(SendRecipes());
  }
  return Status::OK();
}

void ChunkSender::Settle(std::vector<Sha256Digest>* claimed, bool arrived) {
  shared_->Done(*claimed, arrived);
  claimed->clear();
}

Status ChunkSender::SendBatch() {
  if (batch_.chunk_count() == 0) return Status::OK();
  Result<Json> r = remote_->SendBinary(ProtoOp::kChunks, batch_.bytes());
  Status stored = r.ok() ? DecodeChunksReply(*r, batch_.chunk_count()) : r.status();
  Settle(&batch_claims_, stored.ok());
  batch_.Clear();
  SYNCLINE_RETURN_IF_ERROR(stored);
  return check_ ? check_() : Status::OK();
}

Status ChunkSender::SendRecipes() {
  if (recipe_files_.empty()) return Status::OK();
  Result<std::vector<Sha256Digest>> failed = [&]() -> Result<std::vector<Sha256Digest>> {
    SYNCLINE_ASSIGN_OR_RETURN(Json r, remote_->SendBinary(ProtoOp::kChunkRecipes, recipes_));
    return DecodeRecipesReply(r, recipe_files_.size());
  }();
  std::vector<std::pair<Sha256Digest, size_t>> sent = std::move(recipe_files_);
  recipe_files_.clear();
  recipes_.clear();
  std::vector<Sha256Digest> arrived, whole;
  for (const auto& [hash, file] : sent) {
    bool rebuilt = failed.ok() &&
                   std::find(failed->begin(), failed->end(), hash) == failed->end();
    (rebuilt ? arrived : whole).push_back(hash);
  }
  Settle(&arrived, true);
  if (!failed.ok()) {
    Settle(&whole, false);
    return failed.status();
  }
  // Chunks the destination could not rebuild go whole (still claimed by this sender).
  for (const auto& [hash, file] : sent) {
    if (std::find(whole.begin(), whole.end(), hash) == whole.end()) continue;
    SYNCLINE_RETURN_IF_ERROR(AddStored(file, hash));
  }
  SYNCLINE_RETURN_IF_ERROR(SendBatch());
  return check_ ? check_() : Status::OK();
}

Status ChunkSender::Finish() {
  SYNCLINE_RETURN_IF_ERROR(SendRecipes());
  SYNCLINE_RETURN_IF_ERROR(SendBatch());
  // Chunks other workers took: wait for them; one they gave up is ours to send. This sender
  // holds no unsent claim while it waits, so two senders never wait on each other.
  while (!elsewhere_.empty()) {
    std::vector<std::pair<Sha256Digest, size_t>> waiting = std::move(elsewhere_);
    elsewhere_.clear();
    for (const auto& [hash, file] : waiting) {
      if (shared_->Await(hash)) continue;
      SentChunks::Claim claim = shared_->Take(hash);
      if (claim == SentChunks::Claim::kElsewhere) elsewhere_.emplace_back(hash, file);
      if (claim != SentChunks::Claim::kMine) continue;
      SYNCLINE_RETURN_IF_ERROR(AddStored(file, hash));
      if (batch_.bytes().size() >= kChunkBatchBytes) SYNCLINE_RETURN_IF_ERROR(SendBatch());
    }
    SYNCLINE_RETURN_IF_ERROR(SendBatch());
  }
  for (const File& f : files_) {
    f.report->bytes_copied = std::max<int64_t>(0, f.size - f.sent_content);
  }
  return check_ ? check_() : Status::OK();
}

}  // namespace syncline
