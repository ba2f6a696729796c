// syncline: the server (`serve`) and the client verbs, in one binary.
#include <exception>
#include <iostream>

#include "cli/commands.h"

int main(int argc, char** argv) {
  using namespace syncline;
  CLI::App app{"Syncline keeps files and JSON documents the same across servers and clients."};
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the verb
  app.set_version_flag("--version", "syncline 0.1.0");
  CliContext ctx;
  app.add_option("--server", ctx.server, "server URL (default http://127.0.0.1:8080)")
      ->envname("SYNCLINE_SERVER");
  app.add_option("--api-key", ctx.api_key,
                 "API key of that server (default: ./data/admin.key if present)")
      ->envname("SYNCLINE_API_KEY");
  app.add_flag("--json", ctx.json, "print machine-readable JSON");

  int exit_code = 0;
  AddServeCommand(app, &exit_code);
  AddDbCommand(app, ctx, &exit_code);
  AddDocCommand(app, ctx, &exit_code);
  AddFileCommand(app, ctx, &exit_code);
  AddChangesCommand(app, ctx, &exit_code);
  AddDestCommand(app, ctx, &exit_code);
  AddSyncCommand(app, ctx, &exit_code);
  AddConflictsCommand(app, ctx, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    // Nothing below main throws by design; this is the last guard (STYLE.md, "Errors").
    std::cerr << "syncline: internal error: " << e.what() << "\n";
    return 2;
  }
  return exit_code;
}
