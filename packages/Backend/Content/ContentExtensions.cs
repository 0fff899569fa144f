namespace Lightdash.Net.Backend.Content;

/// <summary>Registers saved content: SQL charts, charts with versions, and dashboards of them.</summary>
public static class ContentExtensions
{
    /// <summary>Adds the models and services of saved SQL charts, saved charts and dashboards.</summary>
    public static WebApplicationBuilder AddContent(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<SavedSqlStore>();
        services.AddSingleton<SavedChartStore>();
        services.AddSingleton<DashboardStore>();
        services.AddSingleton<SqlChartService>();
        services.AddSingleton<SavedChartService>();
        services.AddSingleton<DashboardService>();
        return builder;
    }
}
