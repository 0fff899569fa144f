using Dapper;
using Npgsql;

namespace Lightdash.Net.Backend.Access;

/// <summary>Reads and writes <c>project_memberships</c>: who may do what in a project.</summary>
public sealed class MembershipStore(NpgsqlDataSource dataSource)
{
    private const string RoleSql = "SELECT role FROM project_memberships WHERE project_uuid = @projectUuid AND user_uuid = @userUuid";

    private const string UpsertSql = """
        INSERT INTO project_memberships (project_uuid, user_uuid, role) VALUES (@projectUuid, @userUuid, @role)
        ON CONFLICT (project_uuid, user_uuid) DO UPDATE SET role = excluded.role
        """;

    private const string DeleteSql = "DELETE FROM project_memberships WHERE project_uuid = @projectUuid AND user_uuid = @userUuid";

    private const string ListSql = """
        SELECT m.user_uuid AS UserUuid, u.email AS Email, u.name AS Name, m.role AS Role
        FROM project_memberships m JOIN users u USING (user_uuid)
        WHERE m.project_uuid = @projectUuid ORDER BY u.email
        """;

    private const string ProjectsOfUserSql = """
        SELECT p.project_uuid AS ProjectUuid, p.name AS Name, p.warehouse_type AS WarehouseType, m.role AS Role
        FROM projects p LEFT JOIN project_memberships m ON m.project_uuid = p.project_uuid AND m.user_uuid = @userUuid
        WHERE @isAdmin OR m.role IS NOT NULL
        ORDER BY p.name
        """;

    /// <summary>A member of a project.</summary>
    public sealed record Member(Guid UserUuid, string Email, string Name, string Role);

    /// <summary>A project a user can see, with their role in it (null for organisation admins who are not members).</summary>
    public sealed record VisibleProject(Guid ProjectUuid, string Name, string WarehouseType, string? Role);

    /// <summary>The user's role in the project, or null when not a member.</summary>
    public async Task<ProjectRole?> FindRoleAsync(Guid projectUuid, Guid userUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var name = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(RoleSql, new { projectUuid, userUuid }, cancellationToken: cancellationToken));
        return ProjectRoleNames.TryParse(name, out var role) ? role : null;
    }

    /// <summary>Adds the user to the project or changes their role.</summary>
    public async Task SetRoleAsync(Guid projectUuid, Guid userUuid, ProjectRole role, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(UpsertSql, new { projectUuid, userUuid, role = role.ToName() }, cancellationToken: cancellationToken));
    }

    /// <summary>Removes the user from the project; false when they were not a member.</summary>
    public async Task<bool> RemoveAsync(Guid projectUuid, Guid userUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(DeleteSql, new { projectUuid, userUuid }, cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>The project's members.</summary>
    public async Task<IReadOnlyList<Member>> ListAsync(Guid projectUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<Member>(new CommandDefinition(ListSql, new { projectUuid }, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>The projects the user can see.</summary>
    public async Task<IReadOnlyList<VisibleProject>> ProjectsOfAsync(Guid userUuid, bool isAdmin, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<VisibleProject>(new CommandDefinition(ProjectsOfUserSql, new { userUuid, isAdmin }, cancellationToken: cancellationToken))).ToList();
    }
}
