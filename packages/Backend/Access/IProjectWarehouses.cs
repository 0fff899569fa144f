using Lightdash.Net.Warehouses;

namespace Lightdash.Net.Backend.Access;

/// <summary>Where a project's warehouse is, for the results store that re-fetches pages from it (provided from outside: Results knows no history or project table).</summary>
public interface IProjectWarehouses
{
    /// <summary>
    /// The warehouse connection a user's statements of the project run with (the project's, or the
    /// user's own login where the project requires it); throws when the project does not exist or the
    /// user has no login it requires.
    /// </summary>
    Task<WarehouseConnection> ConnectionOfAsync(Guid projectUuid, Guid? userUuid, CancellationToken cancellationToken);
}
