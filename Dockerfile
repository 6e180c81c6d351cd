# Production image: gunicorn serves the app, WhiteNoise the static files.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=ocmw.settings PRODUCTION=true

# WeasyPrint needs Pango; fonts for PDFs ship in static/fonts.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b \
    libffi8 gettext curl \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 app
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir "pip>=25.3" \
 && echo "setuptools<81" > /tmp/build-constraints.txt
COPY . .
RUN pip install --no-cache-dir --build-constraint /tmp/build-constraints.txt . \
 && SECRET_KEY=build-only DATABASE_URL=postgres://unused/unused python manage.py collectstatic --noinput -v 0
USER app
EXPOSE 8000
CMD ["gunicorn", "ocmw.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-"]
