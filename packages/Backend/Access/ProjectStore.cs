using Dapper;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Warehouses;
using Npgsql;

namespace Lightdash.Net.Backend.Access;

/// <summary>Reads and writes the <c>projects</c> table; the warehouse connection string is stored encrypted (<see cref="SecretBox"/>).</summary>
public sealed class ProjectStore(NpgsqlDataSource dataSource, SecretBox secrets)
{
    private const string SelectSql = """
        SELECT project_uuid AS ProjectUuid, name AS Name, warehouse_type AS WarehouseType,
               warehouse_connection AS WarehouseConnection, results_cache_ttl_seconds AS ResultsCacheTtlSeconds,
               statement_timeout_seconds AS StatementTimeoutSeconds, cancel_if_unread_seconds AS CancelIfUnreadSeconds,
               require_user_credentials AS RequireUserCredentials, max_warehouse_statements AS MaxWarehouseStatements,
               max_submissions_per_minute AS MaxSubmissionsPerMinute, max_submissions_per_minute_per_user AS MaxSubmissionsPerMinutePerUser
        FROM projects WHERE project_uuid = @projectUuid
        """;

    private const string UpsertSql = """
        INSERT INTO projects (project_uuid, name, warehouse_type, warehouse_connection, results_cache_ttl_seconds, statement_timeout_seconds, cancel_if_unread_seconds,
                              require_user_credentials, max_warehouse_statements, max_submissions_per_minute, max_submissions_per_minute_per_user)
        VALUES (@projectUuid, @name, @warehouseType, @warehouseConnection, @resultsCacheTtlSeconds, @statementTimeoutSeconds, @cancelIfUnreadSeconds,
                @requireUserCredentials, @maxWarehouseStatements, @maxSubmissionsPerMinute, @maxSubmissionsPerMinutePerUser)
        ON CONFLICT (project_uuid) DO UPDATE
        SET name = excluded.name, warehouse_type = excluded.warehouse_type,
            warehouse_connection = excluded.warehouse_connection,
            results_cache_ttl_seconds = excluded.results_cache_ttl_seconds,
            statement_timeout_seconds = excluded.statement_timeout_seconds,
            cancel_if_unread_seconds = excluded.cancel_if_unread_seconds,
            require_user_credentials = excluded.require_user_credentials,
            max_warehouse_statements = excluded.max_warehouse_statements,
            max_submissions_per_minute = excluded.max_submissions_per_minute,
            max_submissions_per_minute_per_user = excluded.max_submissions_per_minute_per_user, updated_at = now()
        """;

    private const string DeleteSql = "DELETE FROM projects WHERE project_uuid = @projectUuid";

    /// <summary>The encrypted column (the associated data of its values).</summary>
    public const string ConnectionColumn = "projects.warehouse_connection";

    /// <summary>The project, or a 404 naming it.</summary>
    public async Task<Project> GetAsync(Guid projectUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ProjectRow>(
            new CommandDefinition(SelectSql, new { projectUuid }, cancellationToken: cancellationToken));
        if (row is null)
        {
            throw NotFound(projectUuid);
        }

        return Enum.TryParse<WarehouseType>(row.WarehouseType, ignoreCase: true, out var type)
            ? new Project(
                row.ProjectUuid,
                row.Name,
                new WarehouseConnection(type, secrets.Unprotect(row.WarehouseConnection, ConnectionColumn)),
                row.ResultsCacheTtlSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
                row.StatementTimeoutSeconds is { } timeout ? TimeSpan.FromSeconds(timeout) : null,
                row.CancelIfUnreadSeconds is { } unread ? TimeSpan.FromSeconds(unread) : null,
                row.RequireUserCredentials,
                row.MaxWarehouseStatements,
                row.MaxSubmissionsPerMinute,
                row.MaxSubmissionsPerMinutePerUser)
            : throw new ConflictException($"Project {projectUuid} uses warehouse type \"{row.WarehouseType}\", which this backend does not support.");
    }

    /// <summary>The ids of projects with this name (compared regardless of case).</summary>
    public async Task<IReadOnlyList<Guid>> FindByNameAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Guid>(new CommandDefinition(
            "SELECT project_uuid FROM projects WHERE lower(name) = lower(@name) ORDER BY project_uuid LIMIT 2", new { name }, cancellationToken: cancellationToken));
        return rows.ToList();
    }

    /// <summary>The 404 of a project that does not exist, or that the caller may not know of.</summary>
    public static NotFoundException NotFound(Guid projectUuid) => new($"Project {projectUuid} does not exist.");

    /// <summary>Creates the project or updates its name and warehouse.</summary>
    public async Task UpsertAsync(Project project, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            UpsertSql,
            new
            {
                projectUuid = project.ProjectUuid,
                name = project.Name,
                warehouseType = project.Warehouse.Type.ToString().ToLowerInvariant(),
                warehouseConnection = secrets.Protect(project.Warehouse.ConnectionString, ConnectionColumn),
                resultsCacheTtlSeconds = project.ResultsCacheTtl is { } ttl ? (int?)ttl.TotalSeconds : null,
                statementTimeoutSeconds = project.StatementTimeout is { } timeout ? (int?)timeout.TotalSeconds : null,
                cancelIfUnreadSeconds = project.CancelIfUnread is { } unread ? (int?)unread.TotalSeconds : null,
                requireUserCredentials = project.RequireUserCredentials,
                maxWarehouseStatements = project.MaxWarehouseStatements,
                maxSubmissionsPerMinute = project.MaxSubmissionsPerMinute,
                maxSubmissionsPerMinutePerUser = project.MaxSubmissionsPerMinutePerUser,
            },
            cancellationToken: cancellationToken));
    }

    /// <summary>Deletes the project; its queries, memberships and saved content go with it (foreign keys cascade).</summary>
    public async Task DeleteAsync(Guid projectUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(DeleteSql, new { projectUuid }, cancellationToken: cancellationToken));
    }

    private sealed record ProjectRow(Guid ProjectUuid, string Name, string WarehouseType, string WarehouseConnection, int? ResultsCacheTtlSeconds, int? StatementTimeoutSeconds, int? CancelIfUnreadSeconds, bool RequireUserCredentials, int? MaxWarehouseStatements,
        int? MaxSubmissionsPerMinute, int? MaxSubmissionsPerMinutePerUser);
}
