using Hangfire;
using Lightdash.Net.Backend.Queries;
using Lightdash.Net.Backend.Queries.Execution;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Statements;

/// <summary>Registers the statements API (Snowflake's SQL API shape): sessions, handles and their cleanup.</summary>
public static class StatementsExtensions
{
    /// <summary>Adds the statements services and their cleanup (a recurring job).</summary>
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
        services.AddRecurringJob(StatementCleanup.RecurringJobId, (jobs, sp) => jobs.AddOrUpdate<StatementCleanup>(
            StatementCleanup.RecurringJobId, Workloads.SystemQueue, job => job.RunAsync(CancellationToken.None), sp.GetRequiredService<IOptions<StatementsOptions>>().Value.CleanupCron,
            new RecurringJobOptions()));
        return builder;
    }
}
