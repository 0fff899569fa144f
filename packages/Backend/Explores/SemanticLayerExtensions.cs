namespace Lightdash.Net.Backend.Explores;

/// <summary>Registers the semantic layer: each project's explores, and metric queries compiled over them.</summary>
public static class SemanticLayerExtensions
{
    /// <summary>Adds the explores (loaded and validated at start-up) and the metric-query service.</summary>
    public static WebApplicationBuilder AddSemanticLayer(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<ModelVersionStore>();
        services.AddSingleton<ExploreRegistry>();
        services.AddSingleton<ModelDeployService>();
        services.AddSingleton<UserAttributeStore>();
        services.AddSingleton<UserAttributeService>();
        services.AddSingleton<QueryVariablesService>();
        services.AddSingleton<ExploreService>();
        services.AddSingleton<MetricQueryService>();
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
