namespace Lightdash.Net.Backend.Statements;

/// <summary>Registers the statements API (Snowflake's SQL API shape): sessions, handles and their cleanup.</summary>
public static class StatementsExtensions
{
    /// <summary>Adds the statements services; their cleanup is a recurring job registered with the others.</summary>
    public static WebApplicationBuilder AddStatements(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<StatementsOptions>().BindConfiguration(StatementsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<StatementStore>();
        services.AddSingleton<StatementSessionStore>();
        services.AddSingleton<StatementAnswers>();
        services.AddSingleton<StatementService>();
        services.AddSingleton<StatementSessionService>();
        services.AddSingleton<StatementCleanup>();
        return builder;
    }
}
