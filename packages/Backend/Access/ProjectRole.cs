namespace Lightdash.Net.Backend.Access;

/// <summary>What a member may do in a project; each role includes the ones before it.</summary>
public enum ProjectRole
{
    /// <summary>Runs saved charts, dashboards and metric queries, and reads their own results.</summary>
    Viewer = 1,

    /// <summary>Also runs raw SQL.</summary>
    Developer = 2,

    /// <summary>Also manages the project, its members and its content.</summary>
    Admin = 3,
}
