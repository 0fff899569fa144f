using Dapper;
using Npgsql;

namespace Lightdash.Net.Backend.Queries.History;

/// <summary>Current use per project and per user, read from <c>query_history</c> (the work of every instance).</summary>
public sealed class UsageStore(NpgsqlDataSource dataSource)
{
    private const string Recent = $"q.holds_slot OR q.status IN ({QueryStatusTransitions.Waiting}) OR q.created_at > now() - interval '1 minute'";

    private const string ProjectsSql = $"""
        SELECT q.project_uuid AS ProjectUuid, p.name AS Name,
               count(*) FILTER (WHERE q.holds_slot) AS Executing,
               count(*) FILTER (WHERE q.status IN ({QueryStatusTransitions.Waiting})) AS Queued,
               count(*) FILTER (WHERE q.created_at > now() - interval '1 minute') AS SubmittedLastMinute,
               p.max_warehouse_statements AS MaxWarehouseStatements, p.max_submissions_per_minute AS MaxSubmissionsPerMinute
        FROM query_history q JOIN projects p ON p.project_uuid = q.project_uuid
        WHERE {Recent}
        GROUP BY q.project_uuid, p.name, p.max_warehouse_statements, p.max_submissions_per_minute
        ORDER BY p.name, q.project_uuid
        """;

    private const string UsersSql = $"""
        SELECT q.created_by_user_uuid AS UserUuid, u.email AS Email,
               count(*) FILTER (WHERE q.holds_slot) AS Executing,
               count(*) FILTER (WHERE q.status IN ({QueryStatusTransitions.Waiting})) AS Queued,
               count(*) FILTER (WHERE q.created_at > now() - interval '1 minute') AS SubmittedLastMinute
        FROM query_history q JOIN users u ON u.user_uuid = q.created_by_user_uuid
        WHERE {Recent}
        GROUP BY q.created_by_user_uuid, u.email
        ORDER BY u.email
        """;

    /// <summary>One project's current use and its own limits (null: the defaults).</summary>
    public sealed record ProjectUse(Guid ProjectUuid, string Name, long Executing, long Queued, long SubmittedLastMinute, int? MaxWarehouseStatements, int? MaxSubmissionsPerMinute);

    /// <summary>One user's current use.</summary>
    public sealed record UserUse(Guid UserUuid, string Email, long Executing, long Queued, long SubmittedLastMinute);

    /// <summary>Projects and users with work executing, waiting or submitted in the last minute.</summary>
    public async Task<(IReadOnlyList<ProjectUse> Projects, IReadOnlyList<UserUse> Users)> CurrentAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var projects = await connection.QueryAsync<ProjectUse>(new CommandDefinition(ProjectsSql, cancellationToken: cancellationToken));
        var users = await connection.QueryAsync<UserUse>(new CommandDefinition(UsersSql, cancellationToken: cancellationToken));
        return ([.. projects], [.. users]);
    }
}
