using Microsoft.Extensions.Options;
using Npgsql;

namespace Lightdash.Net.Backend.Platform;

/// <summary>Registers the metadata database: its connection pool and its migrations (each capability registers its own stores).</summary>
public static class MetadataDatabaseExtensions
{
    /// <summary>Adds the metadata database and, at start-up, migrates it (before anything else starts).</summary>
    public static WebApplicationBuilder AddMetadataDatabase(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<MetadataDatabaseOptions>()
            .BindConfiguration(MetadataDatabaseOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        // No session state outlives a use (locks are per transaction, the migration lock is released, the LISTEN
        // connection is held for good): a connection goes back to the pool without a DISCARD ALL, one
        // statement fewer on nearly every use (Hangfire's connections, which LISTEN, keep the reset).
        services.AddSingleton(sp => NpgsqlDataSource.Create(
            new NpgsqlConnectionStringBuilder(sp.GetRequiredService<IOptions<MetadataDatabaseOptions>>().Value.ConnectionString) { NoResetOnClose = true }.ConnectionString));
        services.AddSingleton<MetadataMigrator>();
        services.AddSingleton<ExclusiveRuns>();
        // Registered before Hangfire's server, so the schema exists before any job runs.
        services.AddHostedService<MetadataStartup>();
        // The one LISTEN connection; each capability registers the channels it owns (IMetadataNotificationHandler).
        services.AddHostedService<MetadataNotificationListener>();
        return builder;
    }

    private sealed class MetadataStartup(MetadataMigrator migrator) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => migrator.MigrateAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
