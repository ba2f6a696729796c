// Verb checking ahead of CLI11, for messages that name the wrong word.
#include "cli/command_line.h"

#include "cli/usage.h"

namespace syncline {

namespace {

std::vector<std::string> VerbNames(const CLI::App& app) {
  std::vector<std::string> out;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    out.push_back(sub->get_name());
  }
  return out;
}

// The option `name` of `app` or, as options fall through, of its parents.
const CLI::Option* FindOption(const CLI::App* app, const std::string& name) {
  for (; app; app = app->get_parent()) {
    for (const CLI::Option* opt : app->get_options()) {
      if (opt->check_name(name)) return opt;
    }
  }
  return nullptr;
}

std::string VerbList(const std::vector<std::string>& verbs) {
  std::string out;
  for (const std::string& v : verbs) out += (out.empty() ? "" : ", ") + v;
  return out;
}

}  // namespace

VerbPath CheckVerbs(const CLI::App& app, const std::vector<std::string>& args) {
  VerbPath out{app.get_name(), ""};
  const CLI::App* at = &app;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") break;
    if (arg.size() > 1 && arg[0] == '-') {
      // An option: skip its value too when it takes one and it is not given as --opt=value.
      std::string name = arg.substr(0, arg.find('='));
      const CLI::Option* opt = FindOption(at, name);
      if (opt && opt->get_expected_min() > 0 && arg.find('=') == std::string::npos) ++i;
      continue;
    }
    std::vector<std::string> verbs = VerbNames(*at);
    if (verbs.empty()) return out;  // the verb's own arguments begin: CLI11 checks them
    const CLI::App* sub = nullptr;
    for (const CLI::App* s : at->get_subcommands([](const CLI::App*) { return true; })) {
      if (s->check_name(arg)) sub = s;
    }
    if (!sub) {
      if (at == &app) verbs.push_back("help");
      std::string near = NearestWord(arg, verbs);
      out.problem = "unknown command '" + arg + "' for '" + out.path + "'" +
                    (near.empty() ? "; the commands are " + VerbList(verbs)
                                  : "; did you mean '" + near + "'?");
      return out;
    }
    at = sub;
    out.path += " " + sub->get_name();
  }
  if (at->get_require_subcommand_min() > 0) {
    out.problem = "'" + out.path + "' needs a command: " + VerbList(VerbNames(*at));
  }
  return out;
}

std::vector<std::string> RewriteHelp(std::vector<std::string> args) {
  if (args.empty() || args[0] != "help") return args;
  args.erase(args.begin());
  args.push_back("--help");
  return args;
}

bool HasFlag(const std::vector<std::string>& args, const std::string& flag) {
  for (const std::string& a : args) {
    if (a == "--") return false;
    if (a == flag) return true;
  }
  return false;
}

}  // namespace syncline
