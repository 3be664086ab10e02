namespace Stratus.Core.Problems;

/// <summary>
/// A failure the caller can act on, carried to the HTTP edge and written as RFC 9457 problem+json
/// (or as <c>{"error": …}</c> on Open Inference Protocol routes).
/// </summary>
public sealed class ProblemException(int status, string title, string detail, TimeSpan? retryAfter = null)
    : Exception(detail)
{
    public int Status { get; } = status;
    public string Title { get; } = title;
    public string Detail { get; } = detail;

    /// <summary>Sent as a Retry-After header when set (429 and 503).</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    public static ProblemException BadRequest(string title, string detail) => new(400, title, detail);
    public static ProblemException Unauthorized(string detail) => new(401, "Unauthorized", detail);
    public static ProblemException NotFound(string title, string detail) => new(404, title, detail);
    public static ProblemException Conflict(string title, string detail) => new(409, title, detail);
    public static ProblemException PreconditionFailed(string detail) => new(412, "Precondition failed", detail);
    public static ProblemException PayloadTooLarge(string detail) => new(413, "Payload too large", detail);
    public static ProblemException UnsupportedMediaType(string detail) => new(415, "Unsupported media type", detail);

    public static ProblemException ServiceUnavailable(string title, string detail, TimeSpan retryAfter) =>
        new(503, title, detail, retryAfter);
}
