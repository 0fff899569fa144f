using Lightdash.Net.Warehouses;

namespace Lightdash.Net.Backend.Access;

/// <summary>Tells the results store where a project's warehouse is, from the <c>projects</c> table.</summary>
public sealed class ProjectWarehouses(ProjectStore projects, WarehouseLogins logins) : IProjectWarehouses
{
    /// <inheritdoc />
    public async Task<WarehouseConnection> ConnectionOfAsync(Guid projectUuid, Guid? userUuid, CancellationToken cancellationToken) =>
        await logins.ForJobAsync(await projects.GetAsync(projectUuid, cancellationToken), userUuid, cancellationToken);
}
