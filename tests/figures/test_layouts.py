"""Small pieces of the page layout, on hand-written inputs."""
from layouts.planner import site_of


def test_a_source_link_is_named_by_its_site():
    assert site_of("https://www.gov.cn/zhengce/content/2023-01/01/x.htm") == "gov.cn"
    assert site_of("http://m.ccin.com.cn:8080/detail/abc") == "ccin.com.cn:8080"
    assert site_of("http://kjt.jl.gov.cn/a?b=1") == "kjt.jl.gov.cn"
    assert site_of("HTTPS://WWW.Example.org#top") == "Example.org"
