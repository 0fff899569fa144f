using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Microsoft.AspNetCore.Mvc;

namespace Lightdash.Net.Backend.Queries;

/// <summary>
/// The base of every controller under <c>/api/v2/projects/{projectUuid}/query</c> (Queries', and the
/// explore, content and export-job routes that live with their capability): the route and the error
/// answers they share, declared once.
/// </summary>
[Route("api/v2/projects/{projectUuid}/query")]
[ProducesResponseType<ApiErrorResponse>(StatusCodes.Status400BadRequest)]
[ProducesResponseType<ApiErrorResponse>(StatusCodes.Status403Forbidden)]
[ProducesResponseType<ApiErrorResponse>(StatusCodes.Status404NotFound)]
[ProducesResponseType<ApiErrorResponse>(StatusCodes.Status500InternalServerError)]
[ProducesResponseType<ApiErrorResponse>(StatusCodes.Status503ServiceUnavailable)]
public abstract class QueryRouteController : AuthenticatedApiController;
