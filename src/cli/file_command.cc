// `syncline file put|get|meta|rename|rm|ls`.
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "net/url.h"
#include "util/json_reader.h"
#include "cli/progress.h"
#include "syncline/env.h"

namespace syncline {

namespace {

std::string FilePath(const std::string& db, const std::string& name) {
  return DbPath(db) + "/files/" + PathOf(name);
}

// KEY=VALUE pairs into a JSON object.
Result<Json> ParsePairs(const std::vector<std::string>& pairs) {
  Json out = Json::object();
  for (const auto& p : pairs) {
    size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument("metadata '" + p + "' is not KEY=VALUE");
    }
    out[p.substr(0, eq)] = p.substr(eq + 1);
  }
  return out;
}

// The body length to declare for LOCAL_PATH: a regular file's size, or -1 (sent chunked) for
// stdin, a pipe, a FIFO or a device, which are streamed as they come.
Result<int64_t> UploadSize(const std::string& local) {
  if (local == "-") return int64_t{-1};
  std::error_code ec;
  std::filesystem::file_status st = std::filesystem::status(local, ec);
  if (ec) return Status::NotFound(local + ": " + ec.message());
  if (std::filesystem::is_directory(st)) {
    return Status::InvalidArgument(local + " is a folder: upload its files one by one");
  }
  if (!std::filesystem::is_regular_file(st)) return int64_t{-1};
  uintmax_t size = std::filesystem::file_size(local, ec);
  if (ec) return Status::IOError(local + ": " + ec.message());
  return static_cast<int64_t>(size);
}

// Where `file get` writes: LOCAL_PATH, or, if that is a folder (or ends in '/'), the file's
// base name inside it, as cp and curl -O do. Checked before anything is downloaded.
Result<std::string> DownloadTarget(const std::string& local, const std::string& name) {
  std::error_code ec;
  bool is_folder = std::filesystem::is_directory(local, ec);
  if (!is_folder && !local.empty() && local.back() == '/') {
    return Status::NotFound("folder " + local + " does not exist");
  }
  std::string target = local;
  if (is_folder) {
    std::string base = name.substr(name.rfind('/') + 1);
    target = local + (local.back() == '/' ? "" : "/") + base;
    if (std::filesystem::is_directory(target, ec)) {
      return Status::AlreadyExists(target + " is a folder");
    }
  }
  std::filesystem::path parent = std::filesystem::path(target).parent_path();
  if (!parent.empty() && !std::filesystem::is_directory(parent, ec)) {
    return Status::NotFound("folder " + parent.string() + " does not exist");
  }
  return target;
}

void PrintFileInfo(const CliContext& ctx, const Json& info, const char* verb) {
  if (ctx.json) {
    ctx.PrintJson(info);
    return;
  }
  std::cout << verb << " " << JsonText(info, "name") << "  etag "
            << JsonNumber(info, "etag") << "  " << HumanBytes(static_cast<double>(JsonNumber(info, "size")))
            << "  sha256 " << JsonText(info, "content_hash") << "\n";
  for (auto& [k, v] : JsonField(info, "metadata").items()) {
    std::cout << "  " << k << " = " << (v.is_string() ? v.get<std::string>() : DumpJson(v)) << "\n";
  }
  if (JsonFlag(info, "conflict")) {
    std::cout << "  conflicted: see `syncline conflicts show` and `conflicts resolve`\n";
  }
}

}  // namespace

void AddFileCommand(CLI::App& app, const CliContext& ctx, int* exit_code) {
  auto* file = app.add_subcommand("file", "upload, download, describe, rename, remove and list files");
  file->require_subcommand(1);
  struct Args {
    std::string db, name, local, new_name, prefix, after;
    std::vector<std::string> meta, set, unset;
    int64_t if_match = -1, limit = 1000;
    bool resolve = false;
  };
  auto a = std::make_shared<Args>();
  auto fail = [exit_code, &ctx = ctx](const Status& s) { *exit_code = ctx.Fail(s); };
  auto if_match_header = [a] {
    HttpHeaders h;
    if (a->if_match >= 0) h["If-Match"] = "\"" + std::to_string(a->if_match) + "\"";
    return h;
  };
  auto resolve_query = [a] { return std::string(a->resolve ? "?resolve=1" : ""); };

  auto* put = file->add_subcommand("put", "upload a file (creates or replaces it)");
  put->add_option("DB", a->db, "database")->required();
  put->add_option("NAME", a->name, "file name in the database, e.g. photos/cat.jpg")->required();
  put->add_option("LOCAL_PATH", a->local, "local file to read, or '-' for stdin (a pipe or FIFO streams)")
      ->required();
  put->add_option("--meta", a->meta, "metadata KEY=VALUE (repeatable)");
  put->add_option("--if-match", a->if_match, "only if the file's etag is still ETAG");
  put->add_flag("--resolve", a->resolve, "this write resolves the item's conflict (it replaces both versions)");
  put->callback([=, &ctx = ctx] {
    auto meta = ParsePairs(a->meta);
    if (!meta.ok()) return fail(meta.status());
    auto size = UploadSize(a->local);
    if (!size.ok()) return fail(size.status());
    Env* env = Env::Default();
    auto in = env->fs->OpenSequential(a->local);
    if (!in.ok()) return fail(in.status());
    if (a->local == "-" && ::isatty(STDIN_FILENO) == 1) {
      std::cerr << "syncline: reading " << a->name << " from the terminal; end it with Ctrl-D\n";
    }
    HttpHeaders h = if_match_header();
    h["Syncline-Metadata"] = meta->dump(-1, ' ', /*ensure_ascii=*/true);
    ProgressBar bar("upload " + a->name);
    auto r = ctx.Client().Upload(
        FilePath(a->db, a->name) + resolve_query(),
        [&](char* buf, size_t n) { return (*in)->Read(buf, n); }, *size, h,
        [&](uint64_t done, uint64_t total) { bar.Update(done, total); });
    if (!r.ok()) {
      bar.Interrupt();
      return fail(r.status());
    }
    bar.Finish();
    PrintFileInfo(ctx, Json::parse(r->body, nullptr, false), "stored");
  });

  auto* get = file->add_subcommand("get", "download a file");
  get->add_option("DB", a->db, "database")->required();
  get->add_option("NAME", a->name, "file name")->required();
  get->add_option("LOCAL_PATH", a->local, "where to write it; '-' or none writes stdout");
  get->callback([=, &ctx = ctx] {
    Env* env = Env::Default();
    bool to_stdout = a->local.empty() || a->local == "-";
    auto target = to_stdout ? Result<std::string>(std::string("-")) : DownloadTarget(a->local, a->name);
    if (!target.ok()) return fail(target.status());
    // Written beside the target and renamed at the end, so a failed download leaves no half file.
    std::string tmp = *target + ".syncline-part";
    std::unique_ptr<WritableFile> out;
    if (!to_stdout) {
      (void)env->fs->RemoveAll(tmp);  // a leftover of an earlier failed run, if any
      auto f = env->fs->OpenAppendable(tmp);
      if (!f.ok()) return fail(f.status());
      out = std::move(f).value();
    }
    ProgressBar bar("download " + a->name);
    auto r = ctx.Client().Download(
        FilePath(a->db, a->name),
        [&](std::string_view data) -> Status {
          if (out) return out->Append(data);
          std::cout.write(data.data(), static_cast<std::streamsize>(data.size()));
          return std::cout ? Status::OK() : Status::IOError("write stdout");
        },
        {}, [&](uint64_t done, uint64_t total) { bar.Update(done, total); });
    Status s = r.status();
    if (s.ok() && out) s = out->Close();
    if (s.ok() && out) s = env->fs->Rename(tmp, *target);
    if (!s.ok()) {
      if (out) (void)env->fs->RemoveAll(tmp);  // best effort; the download already failed
      bar.Interrupt();
      return fail(s);
    }
    bar.Finish();
    if (to_stdout) {
      std::cout.flush();
      return;
    }
    const std::string* hash = r->Header("syncline-content-hash");
    if (ctx.json) {
      ctx.PrintJson({{"name", a->name}, {"path", *target}, {"content_hash", hash ? *hash : ""}});
    } else {
      std::cout << "wrote " << *target << "\n";
    }
  });

  auto* meta = file->add_subcommand("meta", "show or change a file's metadata");
  meta->add_option("DB", a->db, "database")->required();
  meta->add_option("NAME", a->name, "file name")->required();
  meta->add_option("--set", a->set, "set KEY=VALUE (repeatable)");
  meta->add_option("--unset", a->unset, "remove KEY (repeatable)");
  meta->add_option("--if-match", a->if_match, "only if the file's etag is still ETAG");
  meta->add_flag("--resolve", a->resolve, "this write resolves the item's conflict (it replaces both versions)");
  meta->callback([=, &ctx = ctx] {
    std::string path = DbPath(a->db) + "/meta/" + PathOf(a->name);
    Result<HttpResponse> r = Status::Internal("unset");
    if (a->set.empty() && a->unset.empty()) {
      r = ctx.Client().Send("GET", path);
    } else {
      auto set = ParsePairs(a->set);
      if (!set.ok()) return fail(set.status());
      Json body = {{"set", *set}, {"unset", a->unset}};
      r = ctx.Client().Send("PATCH", path + resolve_query(), body.dump(), if_match_header());
    }
    if (!r.ok()) return fail(r.status());
    PrintFileInfo(ctx, Json::parse(r->body, nullptr, false), "file");
  });

  auto* rename = file->add_subcommand("rename", "rename a file");
  rename->add_option("DB", a->db, "database")->required();
  rename->add_option("OLD", a->name, "current name")->required();
  rename->add_option("NEW", a->new_name, "new name")->required();
  rename->add_option("--if-match", a->if_match, "only if the file's etag is still ETAG");
  rename->add_flag("--resolve", a->resolve, "this rename resolves the file's conflict");
  rename->callback([=, &ctx = ctx] {
    Json body = {{"from", a->name}, {"to", a->new_name}};
    auto r = ctx.Client().Send("POST", DbPath(a->db) + "/rename" + resolve_query(), body.dump(),
                               if_match_header());
    if (!r.ok()) return fail(r.status());
    PrintFileInfo(ctx, Json::parse(r->body, nullptr, false), "renamed to");
  });

  auto* rm = file->add_subcommand("rm", "delete a file (it leaves a tombstone)");
  rm->add_option("DB", a->db, "database")->required();
  rm->add_option("NAME", a->name, "file name")->required();
  rm->add_option("--if-match", a->if_match, "only if the file's etag is still ETAG");
  rm->add_flag("--resolve", a->resolve, "this write resolves the item's conflict (it replaces both versions)");
  rm->callback([=, &ctx = ctx] {
    auto r = ctx.Client().Send("DELETE", FilePath(a->db, a->name) + resolve_query(), {},
                               if_match_header());
    if (!r.ok()) return fail(r.status());
    Json info = Json::parse(r->body, nullptr, false);
    if (ctx.json) ctx.PrintJson(info);
    else std::cout << "deleted " << a->name << " at etag " << JsonNumber(info, "etag") << "\n";
  });

  auto* ls = file->add_subcommand("ls", "list files in name order");
  ls->add_option("DB", a->db, "database")->required();
  ls->add_option("--prefix", a->prefix, "only names starting with P");
  ls->add_option("--after", a->after, "start after this name (the next page)");
  ls->add_option("--limit", a->limit, "at most N files (default 1000, at most 10000)")
      ->check(CLI::Range(1, 10000));
  ls->callback([=, &ctx = ctx] {
    std::string path = DbPath(a->db) + "/files?";
    if (!a->prefix.empty()) path += "prefix=" + PercentEncode(a->prefix) + "&";
    if (!a->after.empty()) path += "after=" + PercentEncode(a->after) + "&";
    auto page = ctx.FetchPage(path, a->limit);
    if (!page.ok()) return fail(page.status());
    if (ctx.json) return ctx.PrintJson(page->items);
    std::vector<std::vector<std::string>> rows;
    for (const auto& f : page->items) {
      rows.push_back({JsonText(f, "name"), HumanBytes(static_cast<double>(JsonNumber(f, "size"))),
                      std::to_string(JsonNumber(f, "etag")),
                      JsonText(f, "content_hash").substr(0, 16)});
    }
    PrintTable({"NAME", "SIZE", "ETAG", "SHA256"}, rows);
    if (page->more) PrintMoreHint(JsonText(page->items.back(), "name"));
  });
}

}  // namespace syncline
