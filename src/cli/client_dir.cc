#include "cli/client_dir.h"

#include "client/client_db.h"

namespace syncline {

namespace {
std::string StorePath(const std::string& dir) { return dir + "/client.db"; }
}  // namespace

Result<std::unique_ptr<OfflineStore>> OpenClientDir(const std::string& dir) {
  if (!Env::Default()->fs->Exists(StorePath(dir))) {
    return Status::NotFound("no client in '" + dir + "': run `syncline client init " + dir +
                            " --server URL --db DB` first");
  }
  return OfflineStore::Open(StorePath(dir));
}

Result<std::unique_ptr<OfflineStore>> CreateClientDir(const std::string& dir) {
  SYNCLINE_RETURN_IF_ERROR(Env::Default()->fs->CreateDirs(dir));
  return OfflineStore::Open(StorePath(dir));
}

Result<std::unique_ptr<HttpAdapter>> MakeAdapter(const CliContext& ctx, OfflineStore& store) {
  ClientDb& db = store.db();
  HttpAdapterOptions o;
  SYNCLINE_ASSIGN_OR_RETURN(o.server, db.GetSetting("server"));
  SYNCLINE_ASSIGN_OR_RETURN(o.db, db.GetSetting("db"));
  SYNCLINE_ASSIGN_OR_RETURN(o.token, db.GetSetting("token"));
  SYNCLINE_ASSIGN_OR_RETURN(o.ca_file, db.GetSetting("ca_file"));
  if (!ctx.ca_file.empty()) o.ca_file = ctx.ca_file;
  if (o.server.empty() || o.db.empty()) {
    return Status::InvalidArgument("this client has no server: run `syncline client init` again");
  }
  return std::make_unique<HttpAdapter>(std::move(o));
}

}  // namespace syncline
