using Stratus.Reliability.Recording;

namespace Stratus.Tests.Unit.Reliability;

public sealed class PredictionLogSamplingTests
{
    private static readonly string[] RequestIds = Enumerable.Range(0, 20_000).Select(i => $"request-{i}").ToArray();

    [Fact]
    public void Rate_one_logs_every_request_and_rate_zero_none()
    {
        Assert.All(RequestIds.Take(100), id => Assert.True(MonitoringObserver.Sampled(id, 1)));
        Assert.All(RequestIds.Take(100), id => Assert.False(MonitoringObserver.Sampled(id, 0)));
    }

    [Fact]
    public void A_fractional_rate_samples_about_that_share_of_requests_and_always_the_same_ones()
    {
        var share = RequestIds.Count(id => MonitoringObserver.Sampled(id, 0.25)) / (double)RequestIds.Length;

        Assert.InRange(share, 0.24, 0.26); // 20,000 fixed ids: the hash splits them evenly
        Assert.All(RequestIds.Take(1000), id => Assert.Equal(MonitoringObserver.Sampled(id, 0.25), MonitoringObserver.Sampled(id, 0.25)));
    }
}
