namespace Lightdash.Net.Backend.Platform;

/// <summary>
/// What this instance does (<c>Instance:Roles</c>, comma-separated; all three by default): <c>api</c>
/// serves the HTTP API and Swagger UI; <c>worker</c> runs background jobs (queries, exports, deliveries);
/// <c>scheduler</c> registers the recurring jobs and the schedulers' timetables at start-up. Health and
/// metrics are served whatever the roles. Every instance shares the metadata database and the results
/// storage, so any mix of instances does the work of one.
/// </summary>
public sealed class InstanceRoles
{
    /// <summary>The configuration key.</summary>
    public const string Key = "Instance:Roles";

    /// <summary>The role that serves the HTTP API.</summary>
    public const string Api = "api";

    /// <summary>The role that runs background jobs.</summary>
    public const string Worker = "worker";

    /// <summary>The role that registers recurring jobs.</summary>
    public const string Scheduler = "scheduler";

    private static readonly string[] Known = [Api, Worker, Scheduler];

    private readonly HashSet<string> _roles;

    private InstanceRoles(HashSet<string> roles) => _roles = roles;

    /// <summary>Serves the HTTP API.</summary>
    public bool ServesApi => _roles.Contains(Api);

    /// <summary>Runs background jobs.</summary>
    public bool RunsWorkers => _roles.Contains(Worker);

    /// <summary>Registers recurring jobs.</summary>
    public bool RunsScheduler => _roles.Contains(Scheduler);

    /// <summary>The roles configured; an unknown or empty list fails the start with a message naming the key.</summary>
    public static InstanceRoles From(IConfiguration configuration)
    {
        var text = configuration[Key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return new InstanceRoles([.. Known]);
        }

        var roles = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(r => r.ToLowerInvariant()).ToHashSet();
        var unknown = roles.Except(Known).ToList();
        if (roles.Count == 0 || unknown.Count > 0)
        {
            throw new InvalidOperationException(
                $"{Key} must list one or more of {string.Join(", ", Known)} (got \"{text}\"{(unknown.Count > 0 ? $"; unknown: {string.Join(", ", unknown)}" : "")}).");
        }

        return new InstanceRoles(roles);
    }

    /// <summary>The roles, comma-separated (for logs and health answers).</summary>
    public override string ToString() => string.Join(",", Known.Where(_roles.Contains));
}
