using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Lightdash.Net.Backend.Access;

/// <summary>
/// What every route of the API shares: JSON in the success or error envelope, and a personal access
/// token required. Their 401 and 429 answers are documented by <c>CommonResponsesOperationFilter</c>.
/// </summary>
[ApiController]
[Authorize]
[Produces("application/json")]
public abstract class AuthenticatedApiController : ControllerBase
{
    /// <summary>The authenticated caller.</summary>
    protected CurrentUser Caller => CurrentUser.From(User);
}
