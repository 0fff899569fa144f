using Hangfire;

namespace Lightdash.Net.Backend.Queries.Execution;

/// <summary>A recurring job and how to register (or update) it with Hangfire, given the services of the app.</summary>
/// <param name="Id">The recurring job's id.</param>
/// <param name="AddOrUpdate">Registers it (<c>AddOrUpdate</c> with its cron from options).</param>
public sealed record RecurringJobDefinition(string Id, Action<IRecurringJobManager, IServiceProvider> AddOrUpdate);
