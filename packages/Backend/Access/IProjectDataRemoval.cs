namespace Lightdash.Net.Backend.Access;

/// <summary>
/// What another capability holds of a project and removes with it: Queries stops the project's running
/// queries and deletes its results files. Access deletes projects; the capability that owns the data
/// answers this (so that the arrow between them points one way).
/// </summary>
public interface IProjectDataRemoval
{
    /// <summary>
    /// Removes the project's data around the deletion of its row: what must stop stops first, then
    /// <paramref name="deleteProject"/> runs, then what is left behind (files) is deleted.
    /// </summary>
    Task RemoveAsync(Guid projectUuid, Func<CancellationToken, Task> deleteProject, CancellationToken cancellationToken);
}
