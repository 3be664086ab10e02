namespace Stratus.Core.Errors;

/// <summary>
/// A failure the caller can act on. Carried to the edge, where the host writes it in its protocol's error
/// form (RFC 9457 problem+json, or <c>{"error": …}</c> on Open Inference Protocol routes).
/// </summary>
public sealed class DomainException : Exception
{
    public DomainException(ErrorKind kind, string title, string detail, TimeSpan? retryAfter = null)
        : base(detail)
    {
        Kind = kind;
        Title = title;
        Detail = detail;
        RetryAfter = retryAfter;
    }

    public ErrorKind Kind { get; }

    public string Title { get; }

    public string Detail { get; }

    /// <summary>When the caller may try again (rate limited, unavailable).</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>True when the request itself is at fault: repeating it unchanged cannot succeed.</summary>
    public bool IsCallersFault => Kind is ErrorKind.Invalid or ErrorKind.NotFound or ErrorKind.Conflict
        or ErrorKind.PreconditionFailed or ErrorKind.TooLarge or ErrorKind.UnsupportedContent or ErrorKind.Unauthenticated;

    public static DomainException Invalid(string title, string detail) => new(ErrorKind.Invalid, title, detail);

    public static DomainException Unauthenticated(string detail) => new(ErrorKind.Unauthenticated, "Unauthorized", detail);

    public static DomainException NotFound(string title, string detail) => new(ErrorKind.NotFound, title, detail);

    public static DomainException Conflict(string title, string detail) => new(ErrorKind.Conflict, title, detail);

    public static DomainException PreconditionFailed(string detail) => new(ErrorKind.PreconditionFailed, "Precondition failed", detail);

    public static DomainException TooLarge(string detail) => new(ErrorKind.TooLarge, "Payload too large", detail);

    public static DomainException UnsupportedContent(string detail) => new(ErrorKind.UnsupportedContent, "Unsupported media type", detail);

    public static DomainException RateLimited(string title, string detail, TimeSpan retryAfter) => new(ErrorKind.RateLimited, title, detail, retryAfter);

    public static DomainException Unavailable(string title, string detail, TimeSpan retryAfter) => new(ErrorKind.Unavailable, title, detail, retryAfter);

    public static DomainException DependencyFailed(string title, string detail) => new(ErrorKind.DependencyFailed, title, detail);
}
