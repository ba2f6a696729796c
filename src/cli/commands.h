// The subcommands of the `syncline` binary, one file each.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/cli_context.h"

namespace syncline {

// Each adds its subcommand to `app`; when run, it stores its exit code in *exit_code.
void AddServeCommand(CLI::App& app, int* exit_code);
void AddDbCommand(CLI::App& app, const CliContext& ctx, int* exit_code);
void AddDocCommand(CLI::App& app, const CliContext& ctx, int* exit_code);
void AddFileCommand(CLI::App& app, const CliContext& ctx, int* exit_code);
void AddChangesCommand(CLI::App& app, const CliContext& ctx, int* exit_code);
void AddDestCommand(CLI::App& app, const CliContext& ctx, int* exit_code);
void AddSyncCommand(CLI::App& app, const CliContext& ctx, int* exit_code);
void AddConflictsCommand(CLI::App& app, const CliContext& ctx, int* exit_code);
void AddReplicateCommand(CLI::App& app, const CliContext& ctx, int* exit_code);
void AddJobCommand(CLI::App& app, const CliContext& ctx, int* exit_code);
void AddUserCommand(CLI::App& app, const CliContext& ctx, int* exit_code);
void AddLoginCommand(CLI::App& app, const CliContext& ctx, int* exit_code);
void AddRulesCommand(CLI::App& app, const CliContext& ctx, int* exit_code);
void AddClientsCommand(CLI::App& app, const CliContext& ctx, int* exit_code);
void AddClientCommand(CLI::App& app, const CliContext& ctx, int* exit_code);
void AddIndexCommand(CLI::App& app, const CliContext& ctx, int* exit_code);

}  // namespace syncline
