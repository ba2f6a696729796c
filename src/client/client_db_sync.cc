// ClientDb's sync transactions: taking a batch from the outbox, applying the server's answer
// to it, applying a pull page, and the handlers of failed operations.
#include <algorithm>

#include "client/client_db.h"
#include "client/outbox_rules.h"
#include "util/json_reader.h"

namespace syncline {
namespace {

const Json* DocOrNull(const MaybeDocument& d) { return d ? &*d : nullptr; }

MaybeDocument LocalSide(const PendingOperation& op) {
  if (op.op == "delete") return std::nullopt;
  return op.document;
}

// Which automatic handler applies to an error of kind `error`.
FailureAction HandlerFor(const FailureHandlers& h, const std::string& error) {
  if (error == "create-error") return h.create;
  if (error == "update-error") return h.update;
  return h.remove;
}

// True if `action` is one the seed allows for an error of kind `error`.
bool ActionFits(FailureAction action, const std::string& error) {
  switch (action) {
    case FailureAction::kNone:
      return true;
    case FailureAction::kDelete:
    case FailureAction::kRecreate:
      return error == "create-error";
    case FailureAction::kRollback:
      return error == "update-error";
    case FailureAction::kRetry:
      return error == "update-error" || error == "delete-error";
  }
  return false;
}

// The refusal of an action that does not fit an error of kind `error`.
Status Misfit(const std::string& error) {
  if (error == "create-error") {
    return Status::InvalidArgument("a create error can be handled by delete or recreate");
  }
  if (error == "update-error") {
    return Status::InvalidArgument("an update error can be handled by retry or rollback");
  }
  return Status::InvalidArgument("a delete error can be handled by retry");
}

}  // namespace

Status CheckHandlers(const FailureHandlers& h) {
  for (const auto& [action, error] : {std::pair{h.create, "create-error"},
                                      std::pair{h.update, "update-error"},
                                      std::pair{h.remove, "delete-error"}}) {
    if (!ActionFits(action, error)) return Misfit(error);
  }
  return Status::OK();
}

Status ClientDb::SetDocEtag(const std::string& collection, const std::string& key, int64_t etag) {
  SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st,
                            conn_->Prepare("UPDATE docs SET etag=? WHERE collection=? AND key=?"));
  return st->Bind(1, etag).Bind(2, collection).Bind(3, key).Run();
}

Result<std::optional<ClientDb::Row>> ClientDb::NextRow(const Row& row) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      conn_->Prepare(std::string("SELECT ") + kRowColumns +
                     " FROM outbox WHERE collection=? AND key=? AND seq>? ORDER BY seq LIMIT 1"));
  st->Bind(1, row.op.collection).Bind(2, row.op.key).Bind(3, row.seq);
  return ReadFirstRow(st);
}

Result<std::vector<PendingOperation>> ClientDb::TakeBatch(
    const std::string& collection, size_t limit, int64_t sync_number,
    const std::function<bool(const PendingOperation&)>& priority, int64_t after_seq) {
  std::lock_guard<std::mutex> lock(mu_);
  Txn txn(conn_.get());
  SYNCLINE_RETURN_IF_ERROR(txn.Begin());
  // The oldest row of each document, if it may go now. With a priority predicate every ready
  // row is read so the chosen ones go first; without one, only the batch. `+collection` keeps
  // the planner walking rows in seq order (the batch is at the front: answered rows leave)
  // rather than every row of the collection through the document index, sorted.
  std::string sql = std::string("SELECT ") + kRowColumns +
                    " FROM outbox o WHERE +collection=? AND state IN ('pending','sent') "
                    "AND seq > ? AND not_before <= ? AND base_etag >= 0 AND NOT EXISTS (SELECT 1 FROM "
                    "outbox p WHERE p.collection=o.collection AND p.key=o.key AND p.seq<o.seq) "
                    "ORDER BY seq LIMIT ?";
  SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st, conn_->Prepare(sql));
  st->Bind(1, collection).Bind(2, after_seq).Bind(3, sync_number);
  st->Bind(4, priority ? int64_t{-1} : static_cast<int64_t>(limit));
  SYNCLINE_ASSIGN_OR_RETURN(std::vector<Row> rows, ReadRows(st));
  if (priority) {
    std::stable_partition(rows.begin(), rows.end(),
                          [&](const Row& r) { return priority(r.op); });
    if (rows.size() > limit) rows.resize(limit);
  }
  std::vector<PendingOperation> batch;
  batch.reserve(rows.size());
  SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * mark,
                            conn_->Prepare("UPDATE outbox SET state='sent' WHERE seq=?"));
  for (Row& row : rows) {
    if (row.op.state != "sent") SYNCLINE_RETURN_IF_ERROR(mark->Bind(1, row.seq).Run());
    row.op.state = "sent";
    batch.push_back(std::move(row.op));
  }
  SYNCLINE_RETURN_IF_ERROR(txn.Commit());
  return batch;
}

// Resolves the local change `row` against the server's document and leaves the outcome: the
// server's document taken (row dropped), or the resolution written locally and queued to send
// in this sync, based on the server's etag.
Status ClientDb::ResolveRow(Row row, const MaybeDocument& server, int64_t server_etag,
                            const Resolver& resolver, int64_t sync_number,
                            std::vector<AppliedChange>* out) {
  const PendingOperation& op = row.op;
  MaybeDocument local = LocalSide(op);
  MaybeDocument resolved = resolver.Resolve(op.collection, local, server);
  ResolvedStep step = DecideResolved(resolved, server);
  if (step.kind == ResolvedStep::Kind::kTakeServer) {
    SYNCLINE_RETURN_IF_ERROR(DeleteRow(row.seq));
  } else {
    row.op.op_id = NewOpId();
    row.op.op = step.op;
    row.op.base_etag = server_etag;
    row.op.document = resolved;
    row.op.state = "pending";
    row.not_before = sync_number;
    SYNCLINE_RETURN_IF_ERROR(UpdateRow(row));
  }
  SYNCLINE_RETURN_IF_ERROR(StoreDoc(row.op.collection, row.op.key, DocOrNull(resolved), server_etag));
  if (resolved != local) {
    const char* kind = !resolved ? "deleted" : (!local ? "created" : "updated");
    out->push_back({row.op.collection, row.op.key, kind});
  }
  return Status::OK();
}

Status ClientDb::RunFailureAction(Row row, FailureAction action, int64_t next_sync,
                                  std::vector<AppliedChange>* out) {
  const std::string& c = row.op.collection;
  const std::string& k = row.op.key;
  switch (action) {
    case FailureAction::kNone:
      return UpdateRow(row);
    case FailureAction::kDelete:
      SYNCLINE_RETURN_IF_ERROR(DeleteRow(row.seq));
      SYNCLINE_RETURN_IF_ERROR(StoreDoc(c, k, nullptr, 0));
      out->push_back({c, k, "deleted"});
      return Status::OK();
    case FailureAction::kRecreate:
    case FailureAction::kRetry:
      row.op.op_id = NewOpId();
      row.op.state = "pending";
      row.not_before = next_sync;
      return UpdateRow(row);
    case FailureAction::kRollback: {
      SYNCLINE_RETURN_IF_ERROR(DeleteRow(row.seq));
      const Json* attrs = row.op.attributes ? &*row.op.attributes : nullptr;
      SYNCLINE_RETURN_IF_ERROR(StoreDoc(c, k, attrs, row.op.server_etag));
      out->push_back({c, k, attrs ? "updated" : "deleted"});
      return Status::OK();
    }
  }
  return Status::Internal("unknown failure action");
}

Status ClientDb::ApplyApplied(const PendingOperation& sent, const PushResult& result,
                              BatchOutcome* out) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      conn_->Prepare("SELECT seq, op_id, op FROM outbox WHERE collection=? AND key=? "
                     "ORDER BY seq LIMIT 2"));
  st->Bind(1, sent.collection).Bind(2, sent.key);
  SYNCLINE_ASSIGN_OR_RETURN(bool has, st->Step());
  if (!has || st->Text(1) != sent.op_id) {  // not the row that was sent (a reset dropped it)
    st->Reset();
    return Status::OK();
  }
  const int64_t seq = st->Int(0);
  const bool was_delete = st->Text(2) == "delete";
  SYNCLINE_ASSIGN_OR_RETURN(bool later, st->Step());
  st->Reset();
  ++out->applied;
  SYNCLINE_RETURN_IF_ERROR(DeleteRow(seq));
  if (!later) {
    if (was_delete) return Status::OK();
    return SetDocEtag(sent.collection, sent.key, result.etag);
  }
  // A later local change of the document now builds on the etag the server gave.
  SYNCLINE_ASSIGN_OR_RETURN(std::optional<Row> next, FirstRow(sent.collection, sent.key));
  if (!next) return Status::Internal("the outbox lost a row inside a transaction");
  next->op.base_etag = result.etag;
  if (next->op.op == "create" && !was_delete) next->op.op = "update";
  return UpdateRow(*next);
}

Status ClientDb::ApplyOne(const PendingOperation& sent, const PushResult& result,
                          const Resolver& resolver, const FailureHandlers& handlers,
                          int64_t sync_number, BatchOutcome* out) {
  if (result.kind == PushResult::Kind::kApplied) return ApplyApplied(sent, result, out);
  SYNCLINE_ASSIGN_OR_RETURN(std::optional<Row> first, FirstRow(sent.collection, sent.key));
  // Only the row that was sent is answered; anything else (a reset dropped it) is ignored.
  if (!first || first->op.op_id != sent.op_id) return Status::OK();
  Row row = std::move(*first);
  SYNCLINE_ASSIGN_OR_RETURN(std::optional<Row> next, NextRow(row));
  switch (result.kind) {
    case PushResult::Kind::kApplied:
      break;  // ApplyApplied
    case PushResult::Kind::kConflict: {
      ++out->conflicts;
      MaybeDocument server;
      if (!result.server_deleted) server = result.server_document;
      // A later local change of the document stands for the client's side now.
      if (!next) return ResolveRow(std::move(row), server, result.server_etag, resolver,
                                   sync_number, &out->changes);
      SYNCLINE_RETURN_IF_ERROR(DeleteRow(row.seq));
      return ResolveRow(std::move(*next), server, result.server_etag, resolver, sync_number,
                        &out->changes);
    }
    case PushResult::Kind::kError: {
      row.op.state = "failed";
      row.op.error = result.error;
      row.op.code = result.code;
      row.op.message = result.message;
      row.op.attributes = result.server_document;
      row.op.server_etag = result.server_etag;
      FailureAction action = HandlerFor(handlers, result.error);
      if (!ActionFits(action, result.error)) action = FailureAction::kNone;
      if (action == FailureAction::kNone) out->failed.push_back(row.op);
      return RunFailureAction(std::move(row), action, sync_number + 1, &out->changes);
    }
  }
  return Status::OK();
}

Result<BatchOutcome> ClientDb::ApplyPushResults(const std::vector<PendingOperation>& batch,
                                               const std::vector<PushResult>& results,
                                               const Resolver& resolver,
                                               const FailureHandlers& handlers,
                                               int64_t sync_number) {
  if (results.size() != batch.size()) {
    return Status::ProtocolError("the server answered " + std::to_string(results.size()) +
                                 " results for " + std::to_string(batch.size()) + " operations");
  }
  std::lock_guard<std::mutex> lock(mu_);
  Txn txn(conn_.get());
  SYNCLINE_RETURN_IF_ERROR(txn.Begin());
  BatchOutcome out;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (results[i].op_id != batch[i].op_id) {
      return Status::ProtocolError("push results are not in the order of the operations");
    }
    SYNCLINE_RETURN_IF_ERROR(ApplyOne(batch[i], results[i], resolver, handlers, sync_number, &out));
  }
  SYNCLINE_RETURN_IF_ERROR(txn.Commit());
  return out;
}

Result<PageOutcome> ClientDb::ApplyPage(const std::string& collection, const PullPage& page,
                                        const Resolver& resolver, int64_t sync_number) {
  std::lock_guard<std::mutex> lock(mu_);
  Txn txn(conn_.get());
  SYNCLINE_RETURN_IF_ERROR(txn.Begin());
  PageOutcome out;
  for (const ServerChange& change : page.changes) {
    const bool put = change.op == ServerChange::Op::kPut;
    SYNCLINE_ASSIGN_OR_RETURN(std::optional<Row> first, FirstRow(collection, change.key));
    IncomingStep step = DecideIncoming(first ? first->op.state : "",
                                       change.op == ServerChange::Op::kGone);
    if (step == IncomingStep::kSkip) continue;
    if (step == IncomingStep::kResolve) {
      ++out.conflicts;
      MaybeDocument server;
      if (put) server = change.document;
      SYNCLINE_RETURN_IF_ERROR(ResolveRow(std::move(*first), server, change.etag, resolver,
                                          sync_number, &out.changes));
      continue;
    }
    SYNCLINE_ASSIGN_OR_RETURN(auto current, LoadDoc(collection, change.key));
    if (!put && !current) continue;
    // The client's own write coming back: it holds that version already.
    if (put && current && current->second == change.etag) continue;
    SYNCLINE_RETURN_IF_ERROR(
        StoreDoc(collection, change.key, put ? &change.document : nullptr, change.etag));
    ++out.applied;
    out.changes.push_back({collection, change.key,
                           !put ? "deleted" : (current ? "updated" : "created")});
  }
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      conn_->Prepare("INSERT INTO cursors(collection, cursor, schema_version, synced_at) "
                     "VALUES(?,?,?,?) ON CONFLICT(collection) DO UPDATE SET "
                     "cursor=excluded.cursor, schema_version=excluded.schema_version, "
                     "synced_at=excluded.synced_at"));
  SYNCLINE_RETURN_IF_ERROR(st->Bind(1, collection)
                               .Bind(2, page.cursor)
                               .Bind(3, page.schema_version)
                               .Bind(4, env_->clock->NowMicros())
                               .Run());
  SYNCLINE_RETURN_IF_ERROR(txn.Commit());
  return out;
}

Status ClientDb::Handle(const std::string& op_id, FailureAction action, int64_t next_sync) {
  std::lock_guard<std::mutex> lock(mu_);
  Txn txn(conn_.get());
  SYNCLINE_RETURN_IF_ERROR(txn.Begin());
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      conn_->Prepare(std::string("SELECT ") + kRowColumns + " FROM outbox WHERE op_id=?"));
  st->Bind(1, op_id);
  SYNCLINE_ASSIGN_OR_RETURN(std::optional<Row> found, ReadFirstRow(st));
  if (!found || found->op.state != "failed") {
    return Status::NotFound("no failed operation '" + op_id + "' (see `client errors`)");
  }
  Row row = std::move(*found);
  if (action == FailureAction::kNone || !ActionFits(action, row.op.error)) {
    return Misfit(row.op.error);
  }
  std::vector<AppliedChange> ignored;
  SYNCLINE_RETURN_IF_ERROR(RunFailureAction(std::move(row), action, next_sync, &ignored));
  return txn.Commit();
}

}  // namespace syncline
