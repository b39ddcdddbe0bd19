"""Alalam News Network, English (https://en.alalam.ir).

What is seen and what is assumed is set out in spec/SOURCE-SITE.md; the
assumptions (URL scheme, time zone, markup) are all here, to be corrected here.
"""

from crawler.sites.profile import Discovery, SiteProfile

PROFILE = SiteProfile(
    name="alalam_en",
    base_url="https://en.alalam.ir",
    article_path="/news/{id}",
    article_path_pattern=r"^/news/([0-9]+)(?:/|$)",
    media_base="https://en.alalam.ir/",
    language="en",
    time_zone="Asia/Tehran",
    date_formats=("%a %b %d, %Y %H:%M:%S",),
    title_selector="h1.news-title",
    date_selector=".news-date",
    body_selector=".news-text",
    excluded_selectors=(".news-image", ".code"),
    image_block_selector=".news-image",
    caption_selector=".caption",
    desk_code_selector=".news-text .code",
    kind_prefixes=(("PICS:", "photos"), ("PHOTOS:", "photos"), ("VIDEO:", "video")),
    video_suffixes=(".mp4",),
    related_script_vars=("related",),
    related_attributes=("data-related",),
    discovery=Discovery(
        # Assumed: the site publishes RSS (the Alalam sites do) at this path, and
        # robots.txt names its sitemaps; the "News" menu entry of the seed page
        # lists the newest articles.
        feeds=("/rss.xml",),
        listings=("/news",),
        listing_links="a::attr(href)",
        robots_sitemaps=True,
        max_age_days=2.0,
    ),
)
