# The web app as a small image: slim Python, runtime packages only, run as a user that is not root.
# It was written for `docker build`, but no image has been built on the project's own machines (they
# reach no image registry); see README, "Deploying".
FROM python:3.11-slim AS build
RUN python -m venv /venv
COPY requirements.txt /tmp/requirements.txt
# Runtime packages only: test tools are in requirements-dev.txt, which the image never sees.
RUN /venv/bin/pip install --no-cache-dir --disable-pip-version-check -r /tmp/requirements.txt

FROM python:3.11-slim
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin bot \
 && mkdir -p /app /var/lib/hrbot/spool && chown bot /var/lib/hrbot/spool
COPY --from=build /venv /venv
WORKDIR /app
COPY config.toml Procfile ./
COPY bot/ bot/
COPY handlers/ handlers/
COPY content/ content/
ENV PATH=/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    BOT_SPOOL_DIR=/var/lib/hrbot/spool PORT=5000 WEB_CONCURRENCY=2
USER bot
EXPOSE 5000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '5000'), timeout=4)"
# The Procfile's command (a test checks they are the same).
CMD gunicorn --workers ${WEB_CONCURRENCY:-2} --bind 0.0.0.0:${PORT:-5000} 'handlers.web:create_app()'
