using Lightdash.Net.Backend.Auth;
using Lightdash.Net.Backend.Contracts;
using Lightdash.Net.Backend.Errors;
using Lightdash.Net.Backend.Models;

namespace Lightdash.Net.Backend.Services;

/// <summary>Projects as their members see them, and their membership (project admins).</summary>
public sealed class ProjectService(ProjectAccess access, ProjectMembershipModel memberships, UserModel users)
{
    /// <summary>The projects the caller can see.</summary>
    public async Task<IReadOnlyList<ProjectResults>> ListAsync(CurrentUser user, CancellationToken cancellationToken) =>
        (await memberships.ProjectsOfAsync(user.UserUuid, user.IsAdmin, cancellationToken))
        .Select(p => new ProjectResults
        {
            ProjectUuid = p.ProjectUuid,
            Name = p.Name,
            WarehouseType = p.WarehouseType,
            Role = user.IsAdmin ? ProjectRole.Admin.ToName() : p.Role!,
        })
        .ToList();

    /// <summary>One project (any member).</summary>
    public async Task<ProjectResults> GetAsync(CurrentUser user, Guid projectUuid, CancellationToken cancellationToken)
    {
        var project = await access.RequireAsync(user, projectUuid, ProjectRole.Viewer, cancellationToken);
        var role = user.IsAdmin ? ProjectRole.Admin : await memberships.FindRoleAsync(projectUuid, user.UserUuid, cancellationToken) ?? ProjectRole.Viewer;
        return new ProjectResults
        {
            ProjectUuid = project.ProjectUuid,
            Name = project.Name,
            WarehouseType = project.Warehouse.Type.ToString().ToLowerInvariant(),
            Role = role.ToName(),
        };
    }

    /// <summary>The project's members (project admins).</summary>
    public async Task<IReadOnlyList<ProjectMemberResults>> ListMembersAsync(CurrentUser user, Guid projectUuid, CancellationToken cancellationToken)
    {
        await access.RequireAsync(user, projectUuid, ProjectRole.Admin, cancellationToken);
        return (await memberships.ListAsync(projectUuid, cancellationToken))
            .Select(m => new ProjectMemberResults { UserUuid = m.UserUuid, Email = m.Email, Name = m.Name, Role = m.Role })
            .ToList();
    }

    /// <summary>Adds a user to the project or changes their role (project admins).</summary>
    public async Task<ProjectMemberResults> SetRoleAsync(CurrentUser user, Guid projectUuid, Guid userUuid, SetProjectRoleRequest request, CancellationToken cancellationToken)
    {
        if (!ProjectRoleNames.TryParse(request.Role, out var role))
        {
            throw new ValidationException($"role must be viewer, developer or admin (got \"{request.Role}\").");
        }

        await access.RequireAsync(user, projectUuid, ProjectRole.Admin, cancellationToken);
        var member = await users.GetUserAsync(userUuid, cancellationToken);
        await memberships.SetRoleAsync(projectUuid, userUuid, role, cancellationToken);
        return new ProjectMemberResults { UserUuid = member.UserUuid, Email = member.Email, Name = member.Name, Role = role.ToName() };
    }

    /// <summary>Removes a user from the project (project admins).</summary>
    public async Task RemoveMemberAsync(CurrentUser user, Guid projectUuid, Guid userUuid, CancellationToken cancellationToken)
    {
        await access.RequireAsync(user, projectUuid, ProjectRole.Admin, cancellationToken);
        if (!await memberships.RemoveAsync(projectUuid, userUuid, cancellationToken))
        {
            throw new NotFoundException($"User {userUuid} is not a member of project {projectUuid}.");
        }
    }
}
