using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.Queries.History;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Queries;

/// <summary>
/// Submissions a project accepts a minute, from everyone and from one user, counted over the last
/// minute of <c>query_history</c> (so every instance counts the same). Beyond either a submit is a 429
/// naming the limit, with <c>Retry-After</c> set to when the oldest submission in the window leaves it.
/// Concurrency is another rule: past a user's limit of queries executing at once, or the project's
/// warehouse cap, a query is accepted and waits queued.
/// </summary>
public sealed class SubmissionQuotas(QueryHistoryStore history, IOptions<QueryExecutionOptions> options)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>429 when the project or the user in it has submitted as many queries in the last minute as it may.</summary>
    public async Task CheckAsync(CurrentUser user, Project project, CancellationToken cancellationToken)
    {
        var userLimit = project.MaxSubmissionsPerMinutePerUser ?? options.Value.MaxSubmissionsPerMinutePerUser;
        var projectLimit = project.MaxSubmissionsPerMinute ?? options.Value.MaxSubmissionsPerMinutePerProject;
        var recent = await history.RecentSubmissionsAsync(project.ProjectUuid, user.UserUuid, Window, cancellationToken);
        if (recent.ByUser >= userLimit)
        {
            throw Refusal($"You submitted {recent.ByUser} queries to project {project.ProjectUuid} in the last minute; it accepts {userLimit} a minute from one user (maxSubmissionsPerMinutePerUser)", recent.UsersOldest);
        }

        if (recent.Total >= projectLimit)
        {
            throw Refusal($"Project {project.ProjectUuid} received {recent.Total} queries in the last minute; it accepts {projectLimit} a minute (maxSubmissionsPerMinute)", recent.TotalOldest);
        }
    }

    private static TooManyRequestsException Refusal(string what, DateTime? oldest)
    {
        var retryAfter = oldest is { } at ? DateTime.SpecifyKind(at, DateTimeKind.Utc) + Window - DateTime.UtcNow : Window;
        if (retryAfter < TimeSpan.FromSeconds(1))
        {
            retryAfter = TimeSpan.FromSeconds(1);
        }

        return new TooManyRequestsException($"{what}. Try again in {Math.Ceiling(retryAfter.TotalSeconds):0} s.", retryAfter);
    }
}
