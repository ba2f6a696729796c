// syncline: the server (`serve`) and the client verbs, in one binary.
#include <exception>
#include <iostream>

#include "cli/command_line.h"
#include "cli/commands.h"
#include "cli/usage.h"

int main(int argc, char** argv) {
  using namespace syncline;
  CLI::App app{"Syncline keeps files and JSON documents the same across servers and clients.",
               "syncline"};
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the verb
  app.set_version_flag("--version", "syncline " SYNCLINE_VERSION);
  CliContext ctx;
  app.add_option("--server", ctx.server, "server URL (default http://127.0.0.1:8080)")
      ->envname("SYNCLINE_SERVER");
  app.add_option("--api-key", ctx.api_key,
                 "API key of that server (default: ./data/admin.key if present)")
      ->envname("SYNCLINE_API_KEY");
  app.add_option("--ca-file", ctx.ca_file,
                 "PEM file of the CA(s) to trust for an https server (a private CA)")
      ->envname("SYNCLINE_CA_FILE");
  app.add_flag("--json", ctx.json, "print machine-readable JSON");
  app.footer("Run 'syncline help VERB' (or 'syncline VERB --help') for a verb's usage.\n"
             "Exit codes: 0 ok, 1 failed (refused, or an item failed), 2 usage, 3 unavailable.");

  int exit_code = 0;
  AddServeCommand(app, &exit_code);
  AddDbCommand(app, ctx, &exit_code);
  AddDocCommand(app, ctx, &exit_code);
  AddFileCommand(app, ctx, &exit_code);
  AddChangesCommand(app, ctx, &exit_code);
  AddDestCommand(app, ctx, &exit_code);
  AddSyncCommand(app, ctx, &exit_code);
  AddConflictsCommand(app, ctx, &exit_code);
  AddReplicateCommand(app, ctx, &exit_code);
  AddJobCommand(app, ctx, &exit_code);
  AddUserCommand(app, ctx, &exit_code);
  AddLoginCommand(app, ctx, &exit_code);
  AddRulesCommand(app, ctx, &exit_code);
  AddClientsCommand(app, ctx, &exit_code);
  AddClientCommand(app, ctx, &exit_code);
  AddIndexCommand(app, ctx, &exit_code);

  std::vector<std::string> args = RewriteHelp(std::vector<std::string>(argv + 1, argv + argc));
  // A usage error honours --json even when the line fails to parse before reaching it.
  ctx.json = HasFlag(args, "--json");
  bool help = HasFlag(args, "--help") || HasFlag(args, "-h") || HasFlag(args, "--version");
  VerbPath verbs = CheckVerbs(app, args);
  if (!verbs.problem.empty() && !help) return ctx.Usage(verbs.problem, verbs.path);
  try {
    std::reverse(args.begin(), args.end());  // CLI11 takes them last-first
    app.parse(args);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return ctx.Usage(e.what(), verbs.path);
  } catch (const std::exception& e) {
    // Nothing below main throws by design; this is the last guard (STYLE.md, "Errors").
    std::cerr << "syncline: internal error: " << e.what() << "\n";
    return kExitFailed;
  }
  return exit_code;
}
