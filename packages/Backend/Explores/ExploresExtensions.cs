using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.Queries;

namespace Lightdash.Net.Backend.Explores;

/// <summary>
/// Registers Explores, the semantic layer: each project's explores from its model files, parameters and
/// user attributes, and the queries compiled over them (metric queries, field values, totals, merges).
/// </summary>
public static class ExploresExtensions
{
    /// <summary>Adds the explores (loaded and validated at start-up) and the services that compile queries over them.</summary>
    public static WebApplicationBuilder AddExplores(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<ModelVersionStore>();
        services.AddSingleton<ExploreRegistry>();
        services.AddSingleton<IMetadataNotificationHandler, ModelChanges>();
        services.AddSingleton<ModelDeployService>();
        services.AddSingleton<UserAttributeStore>();
        services.AddSingleton<UserAttributeService>();
        services.AddSingleton<QueryVariablesService>();
        services.AddSingleton<IQueryVariables>(sp => sp.GetRequiredService<QueryVariablesService>());
        services.AddSingleton<ExploreService>();
        services.AddSingleton<MetricQueryService>();
        services.AddSingleton<FieldValuesService>();
        services.AddSingleton<TotalsService>();
        services.AddSingleton<MergeQueryService>();
        services.AddHostedService<ExploresStartup>();
        return builder;
    }

    /// <summary>Loads and validates every project's model files at start-up.</summary>
    private sealed class ExploresStartup(ExploreRegistry explores) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => explores.LoadAllAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
