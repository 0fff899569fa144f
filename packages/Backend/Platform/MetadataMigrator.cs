using DbUp;
using DbUp.Engine.Output;
using Npgsql;

namespace Lightdash.Net.Backend.Platform;

/// <summary>
/// Applies the embedded, numbered SQL files in <c>Migrations/</c> that the database has not seen yet, then
/// installs or upgrades Hangfire's schema. Instances starting together take a PostgreSQL advisory lock, so
/// each file runs exactly once (Hangfire's installer, run by each instance's storage, raced with itself when
/// instances started together on a new database: "could not find tuple for constraint", serialization errors).
/// </summary>
public sealed class MetadataMigrator(NpgsqlDataSource dataSource, Microsoft.Extensions.Options.IOptions<MetadataDatabaseOptions> options, ILogger<MetadataMigrator> logger)
{
    // Any constant works; it only has to be the same for every instance of the backend.
    private const long MigrationLockKey = 0x4c44_4d49_4752;

    /// <summary>Brings the schema up to date; throws with the failing script's error.</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection))
        {
            lockCommand.Parameters.AddWithValue("key", MigrationLockKey);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            var upgrader = DeployChanges.To
                .PostgresqlDatabase(options.Value.ConnectionString) // the data source's own string has no password
                .WithScriptsEmbeddedInAssembly(typeof(MetadataMigrator).Assembly, name => name.Contains(".Migrations.", StringComparison.Ordinal))
                .WithTransactionPerScript()
                .LogTo(new MigrationLog(logger))
                .Build();
            var result = upgrader.PerformUpgrade();
            if (!result.Successful)
            {
                throw new InvalidOperationException($"Migration {result.ErrorScript?.Name} failed: {result.Error.Message}", result.Error);
            }

            Hangfire.PostgreSql.PostgreSqlObjectsInstaller.Install(connection, options.Value.HangfireSchema);
        }
        finally
        {
            await using var unlockCommand = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
            unlockCommand.Parameters.AddWithValue("key", MigrationLockKey);
            await unlockCommand.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>DbUp logs string.Format templates; they are formatted here and logged as one structured value.</summary>
    private sealed class MigrationLog(ILogger logger) : IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) => logger.LogTrace("{Migration}", Format(format, args));

        public void LogDebug(string format, params object[] args) => logger.LogDebug("{Migration}", Format(format, args));

        public void LogInformation(string format, params object[] args) => logger.LogInformation("{Migration}", Format(format, args));

        public void LogWarning(string format, params object[] args) => logger.LogWarning("{Migration}", Format(format, args));

        public void LogError(string format, params object[] args) => logger.LogError("{Migration}", Format(format, args));

        public void LogError(Exception ex, string format, params object[] args) => logger.LogError(ex, "{Migration}", Format(format, args));

        private static string Format(string format, object[] args) =>
            args.Length == 0 ? format : string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args);
    }
}
