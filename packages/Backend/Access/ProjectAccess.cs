using Lightdash.Net.Backend.Platform;

namespace Lightdash.Net.Backend.Access;

/// <summary>Decides whether a user may act in a project: members by role, organisation admins everywhere.</summary>
public sealed class ProjectAccess(ProjectStore projects, MembershipStore memberships)
{
    /// <summary>
    /// The project, when the user has at least <paramref name="needed"/> in it; 404 when it does not exist
    /// or the user is not a member (the same answer, so that nobody learns which projects exist); 403 for a lower role.
    /// </summary>
    public async Task<Project> RequireAsync(CurrentUser user, Guid projectUuid, ProjectRole needed, CancellationToken cancellationToken)
    {
        var project = await projects.GetAsync(projectUuid, cancellationToken);
        if (user.IsAdmin)
        {
            return project;
        }

        var role = await memberships.FindRoleAsync(projectUuid, user.UserUuid, cancellationToken);
        if (role is null)
        {
            throw ProjectStore.NotFound(projectUuid);
        }

        return role >= needed
            ? project
            : throw new ForbiddenException($"This needs the {needed.ToName()} role in project {projectUuid}; you are a {role.Value.ToName()}.");
    }

    /// <summary>True when the user has at least <paramref name="needed"/> in the project now (organisation admins always).</summary>
    public async Task<bool> HasRoleAsync(CurrentUser user, Guid projectUuid, ProjectRole needed, CancellationToken cancellationToken) =>
        user.IsAdmin || await memberships.FindRoleAsync(projectUuid, user.UserUuid, cancellationToken) >= needed;
}
