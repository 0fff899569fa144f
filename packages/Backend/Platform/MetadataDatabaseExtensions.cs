using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Queries.History;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Lightdash.Net.Backend.Platform;

/// <summary>Registers the metadata database: its connection pool, migrations and models.</summary>
public static class MetadataDatabaseExtensions
{
    /// <summary>Adds the metadata database and, at start-up, migrates it and writes the configured projects.</summary>
    public static WebApplicationBuilder AddMetadataDatabase(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<MetadataDatabaseOptions>()
            .BindConfiguration(MetadataDatabaseOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<ProjectsOptions>().BindConfiguration(ProjectsOptions.Section);
        services.AddSingleton(sp => NpgsqlDataSource.Create(sp.GetRequiredService<IOptions<MetadataDatabaseOptions>>().Value.ConnectionString));
        services.AddOptions<SecretsOptions>().BindConfiguration(SecretsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SecretBox>();
        services.AddSingleton<StoredSecrets>();
        services.AddSingleton<MetadataMigrator>();
        services.AddSingleton<ProjectStore>();
        services.AddSingleton<QueryHistoryStore>();
        services.AddSingleton<QueryCacheStore>();
        services.AddSingleton<ResultsExpiryStore>();
        services.AddSingleton<QueryLeaseStore>();
        services.AddSingleton<ProjectSeeder>();
        // Registered before Hangfire's server, so the schema exists before any job runs.
        services.AddHostedService<MetadataStartup>();
        return builder;
    }

    private sealed class MetadataStartup(MetadataMigrator migrator, StoredSecrets secrets, ProjectSeeder seeder, AdminBootstrap admins) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await migrator.MigrateAsync(cancellationToken);
            await secrets.RewrapAsync(cancellationToken);
            await seeder.SeedAsync(cancellationToken);
            await admins.EnsureAsync(cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
